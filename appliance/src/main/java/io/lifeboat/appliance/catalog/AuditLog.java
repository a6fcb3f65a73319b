package io.lifeboat.appliance.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /**
     * What to read of the log; every field but {@code limit} may be null for "any".
     *
     * @param before only entries with a smaller id (the previous page's smallest)
     * @param action the action, or with a trailing '.' ({@code vm.}) every action it starts
     * @param since  only entries at or after this time
     */
    public record Query(int limit, Long before, String user, String action, String target, AuditEntry.Outcome outcome,
                        Instant since) {
    }

    /** One page of entries, newest first; {@code next} is the {@code before} of the page after, or null if none. */
    public record Page(List<AuditEntry> entries, Long next) {
    }

    /** The entries {@code q} selects, newest first, keyset-paged by id. */
    public Page page(Query q) {
        List<String> where = new ArrayList<>();
        Map<String, Object> params = new LinkedHashMap<>();
        if (q.before() != null) {
            where.add("id < :before");
            params.put("before", q.before());
        }
        if (q.user() != null) {
            where.add("username = :user");
            params.put("user", q.user());
        }
        if (q.action() != null) {
            if (q.action().endsWith(".")) {
                where.add("SUBSTRING(action FROM 1 FOR :prefixLength) = :action");
                params.put("prefixLength", q.action().length());
            } else {
                where.add("action = :action");
            }
            params.put("action", q.action());
        }
        if (q.target() != null) {
            where.add("target = :target");
            params.put("target", q.target());
        }
        if (q.outcome() != null) {
            where.add("outcome = :outcome");
            params.put("outcome", q.outcome().name());
        }
        if (q.since() != null) {
            where.add("occurred_at >= :since");
            params.put("since", Timestamps.utc(q.since()));
        }
        params.put("limit", q.limit() + 1);
        List<AuditEntry> rows = jdbc.sql("SELECT * FROM audit_log" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                        + " ORDER BY id DESC FETCH FIRST :limit ROWS ONLY")
                .params(params)
                .query(AuditLog::row)
                .list();
        if (rows.size() <= q.limit()) {
            return new Page(rows, null);
        }
        List<AuditEntry> page = rows.subList(0, q.limit());
        return new Page(List.copyOf(page), page.get(page.size() - 1).id());
    }

    private static AuditEntry row(ResultSet rs, int n) throws SQLException {
        return new AuditEntry(rs.getLong("id"), Timestamps.read(rs, "occurred_at"), rs.getString("username"),
                rs.getString("action"), rs.getString("target"), AuditEntry.Outcome.valueOf(rs.getString("outcome")),
                rs.getString("detail"));
    }
}
