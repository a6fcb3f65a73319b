package io.lifeboat.appliance.restore;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Table {@code restore_runs} (migration V20): one row per restore or instant recovery job,
 * written when the job is created and completed when it succeeds. Disks are kept as
 * {@code <disk>=<file>} lines and notes one per line, so the table stays plain portable SQL.
 */
@Repository
public class RestoreRuns {

    private static final int MAX_TEXT = 4000;

    private final JdbcClient jdbc;

    public RestoreRuns(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records what the job {@code run.jobId()} is about to restore. */
    public void insert(RestoreRun run) {
        jdbc.sql("INSERT INTO restore_runs (job_id, restore_point, mode, vm_name, vm_uuid, uri, disks, session_id,"
                        + " bandwidth) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(run.jobId().toString(), run.restorePoint(), run.mode(), run.vm(), run.uuid(), run.uri(),
                        clip(disks(run.disks())), run.sessionId(), run.bandwidth())
                .update();
    }

    /** Records what a job that succeeded made; {@code uuid} null keeps the one recorded. */
    public void completed(UUID jobId, String uuid, boolean defined, boolean started, List<String> notes) {
        jdbc.sql("UPDATE restore_runs SET vm_uuid = COALESCE(?, vm_uuid), defined = ?, started = ?, notes = ? WHERE job_id = ?")
                .params(uuid, defined, started, notes.isEmpty() ? null : clip(String.join("\n", notes)), jobId.toString())
                .update();
    }

    public Optional<RestoreRun> find(UUID jobId) {
        return jdbc.sql("SELECT * FROM restore_runs WHERE job_id = ?").param(jobId.toString())
                .query(RestoreRuns::row).optional();
    }

    /** The newest job of an instant recovery session (a session gets a new job after each restart). */
    public Optional<UUID> latestJob(String sessionId) {
        return jdbc.sql("SELECT r.job_id FROM restore_runs r JOIN jobs j ON j.id = r.job_id WHERE r.session_id = ?"
                        + " ORDER BY j.created_at DESC FETCH FIRST 1 ROWS ONLY")
                .param(sessionId)
                .query((rs, n) -> UUID.fromString(rs.getString(1)))
                .optional();
    }

    private static String disks(Map<String, String> disks) {
        return disks.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n"));
    }

    private static String clip(String text) {
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT);
    }

    private static RestoreRun row(ResultSet rs, int n) throws SQLException {
        Map<String, String> disks = new LinkedHashMap<>();
        String lines = rs.getString("disks");
        if (lines != null && !lines.isEmpty()) {
            for (String line : lines.split("\n")) {
                int eq = line.indexOf('=');
                disks.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        String notes = rs.getString("notes");
        return new RestoreRun(UUID.fromString(rs.getString("job_id")), rs.getString("restore_point"),
                rs.getString("mode"), rs.getString("vm_name"), rs.getString("vm_uuid"), rs.getString("uri"), disks,
                rs.getString("session_id"), rs.getObject("bandwidth", Long.class), bool(rs, "defined"), bool(rs, "started"),
                notes == null ? List.of() : Arrays.asList(notes.split("\n")));
    }

    private static Boolean bool(ResultSet rs, String column) throws SQLException {
        boolean value = rs.getBoolean(column);
        return rs.wasNull() ? null : value;
    }
}
