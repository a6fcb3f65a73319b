package io.lifeboat.appliance.runbook;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.lifeboat.appliance.catalog.Timestamps;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Table {@code runbooks}: every stored version of every runbook, as YAML. */
@Repository
public class RunbookRepository {

    /** One version of a runbook, as stored. */
    public record Version(String name, int version, String yaml, String sha256, Instant created, String createdBy) {
    }

    private final JdbcClient jdbc;

    public RunbookRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores {@code yaml} as the next version of {@code name}; the primary key refuses a concurrent same number. */
    public Version insert(String name, String yaml, String sha256, String user) {
        int next = latest(name).map(v -> v.version() + 1).orElse(1);
        Instant now = Timestamps.now();
        jdbc.sql("INSERT INTO runbooks (name, version, yaml, sha256, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)")
                .params(name, next, yaml, sha256, Timestamps.utc(now), user).update();
        return new Version(name, next, yaml, sha256, now, user);
    }

    public Optional<Version> latest(String name) {
        return jdbc.sql("SELECT * FROM runbooks WHERE name = ? ORDER BY version DESC FETCH FIRST 1 ROWS ONLY")
                .param(name).query(RunbookRepository::row).optional();
    }

    public Optional<Version> find(String name, int version) {
        return jdbc.sql("SELECT * FROM runbooks WHERE name = ? AND version = ?").params(name, version)
                .query(RunbookRepository::row).optional();
    }

    /** Every version of {@code name}, newest first. */
    public List<Version> versions(String name) {
        return jdbc.sql("SELECT * FROM runbooks WHERE name = ? ORDER BY version DESC").param(name)
                .query(RunbookRepository::row).list();
    }

    /** The newest version of each runbook, by name. */
    public List<Version> list() {
        return jdbc.sql("SELECT r.* FROM runbooks r WHERE r.version = (SELECT MAX(version) FROM runbooks WHERE name = r.name)"
                + " ORDER BY r.name").query(RunbookRepository::row).list();
    }

    /** Deletes every version; false if there was none. */
    public boolean delete(String name) {
        return jdbc.sql("DELETE FROM runbooks WHERE name = ?").param(name).update() > 0;
    }

    private static Version row(ResultSet rs, int n) throws SQLException {
        return new Version(rs.getString("name"), rs.getInt("version"), rs.getString("yaml"), rs.getString("sha256"),
                Timestamps.read(rs, "created_at"), rs.getString("created_by"));
    }
}
