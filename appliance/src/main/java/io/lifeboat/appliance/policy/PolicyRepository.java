package io.lifeboat.appliance.policy;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.lifeboat.appliance.catalog.Timestamps;
import io.lifeboat.scheduler.policy.BackupPolicy;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/** Table {@code policies}: each policy's {@link PolicyDocument} as JSON, and whether it is paused. */
@Repository
public class PolicyRepository {

    /** A stored policy. */
    public record Stored(BackupPolicy policy, boolean paused, Instant created, Instant updated) {
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;

    public PolicyRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
        this.json = JsonMapper.builder().build();
    }

    /** False if a policy of that name exists. */
    public boolean insert(BackupPolicy policy) {
        if (find(policy.name()).isPresent()) {
            return false;
        }
        Instant now = Timestamps.now();
        jdbc.sql("INSERT INTO policies (name, definition, paused, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")
                .params(policy.name(), json.writeValueAsString(PolicyDocument.of(policy)), false,
                        Timestamps.utc(now), Timestamps.utc(now))
                .update();
        return true;
    }

    /** False if there is no such policy. */
    public boolean update(BackupPolicy policy) {
        return jdbc.sql("UPDATE policies SET definition = ?, updated_at = ? WHERE name = ?")
                .params(json.writeValueAsString(PolicyDocument.of(policy)), Timestamps.utc(Timestamps.now()), policy.name())
                .update() == 1;
    }

    public boolean setPaused(String name, boolean paused) {
        return jdbc.sql("UPDATE policies SET paused = ?, updated_at = ? WHERE name = ?")
                .params(paused, Timestamps.utc(Timestamps.now()), name).update() == 1;
    }

    public boolean delete(String name) {
        return jdbc.sql("DELETE FROM policies WHERE name = ?").param(name).update() == 1;
    }

    public Optional<Stored> find(String name) {
        return jdbc.sql("SELECT * FROM policies WHERE name = ?").param(name).query(this::row).optional();
    }

    public List<Stored> list() {
        return jdbc.sql("SELECT * FROM policies ORDER BY name").query(this::row).list();
    }

    private Stored row(ResultSet rs, int n) throws SQLException {
        PolicyDocument doc = json.readValue(rs.getString("definition"), PolicyDocument.class);
        return new Stored(doc.toPolicy(), rs.getBoolean("paused"), Timestamps.read(rs, "created_at"),
                Timestamps.read(rs, "updated_at"));
    }
}
