package io.lifeboat.appliance.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Table {@code audit_log}: append-only. */
@Repository
public class AuditLog {

    private static final int MAX_DETAIL = 2000;

    private final JdbcClient jdbc;

    public AuditLog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void record(String user, String action, String target, AuditEntry.Outcome outcome, String detail) {
        String d = detail == null || detail.length() <= MAX_DETAIL ? detail : detail.substring(0, MAX_DETAIL);
        jdbc.sql("INSERT INTO audit_log (occurred_at, username, action, target, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)")
                .params(Timestamps.utc(Timestamps.now()), user, action, target, outcome.name(), d)
                .update();
    }

    /**
     * Runs {@code action} and records how it ended: SUCCEEDED with {@code detail}, or FAILED with
     * the exception's message (the exception is rethrown).
     */
    public <T, E extends Exception> T audited(String user, String action, String target, String detail,
                                               Work<T, E> work) throws E {
        T result;
        try {
            result = work.run();
        } catch (Exception e) {
            record(user, action, target, AuditEntry.Outcome.FAILED, e.getMessage());
            throw e;
        }
        record(user, action, target, AuditEntry.Outcome.SUCCEEDED, detail);
        return result;
    }

    /** What {@link #audited} runs. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T run() throws E;
    }

    /** The most recent entries first. */
    public List<AuditEntry> recent(int limit) {
        return jdbc.sql("SELECT * FROM audit_log ORDER BY id DESC FETCH FIRST :limit ROWS ONLY")
                .param("limit", limit)
                .query(AuditLog::row)
                .list();
    }

    private static AuditEntry row(ResultSet rs, int n) throws SQLException {
        return new AuditEntry(rs.getLong("id"), Timestamps.read(rs, "occurred_at"), rs.getString("username"),
                rs.getString("action"), rs.getString("target"), AuditEntry.Outcome.valueOf(rs.getString("outcome")),
                rs.getString("detail"));
    }
}
