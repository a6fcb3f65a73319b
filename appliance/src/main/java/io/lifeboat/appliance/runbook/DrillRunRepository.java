package io.lifeboat.appliance.runbook;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.lifeboat.appliance.catalog.Timestamps;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Table {@code runbook_drills}: what each firing of a runbook's drill did. */
@Repository
public class DrillRunRepository {

    private static final int MAX_TEXT = 4000;

    private final JdbcClient jdbc;

    public DrillRunRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public DrillRun record(String runbook, Instant scheduled, Instant fired, String node, DrillRun.Cause cause,
                           DrillRun.Outcome outcome, String run, String detail) {
        String id = UUID.randomUUID().toString();
        Instant ended = outcome.isFinal() ? Timestamps.now() : null;
        jdbc.sql("INSERT INTO runbook_drills (id, runbook, scheduled_at, fired_at, ended_at, node, cause, outcome, run_id,"
                        + " detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(id, runbook, Timestamps.utc(scheduled), Timestamps.utc(fired),
                        ended == null ? null : Timestamps.utc(ended), node, cause.name(), outcome.name(), run, clip(detail))
                .update();
        return find(id).orElseThrow();
    }

    /** The test run the drill started. */
    public void started(String id, String run) {
        jdbc.sql("UPDATE runbook_drills SET run_id = ? WHERE id = ?").params(run, id).update();
    }

    /** The drill's run stopped: its outcome, and why when it halted. */
    public void finish(String id, DrillRun.Outcome outcome, String detail) {
        jdbc.sql("UPDATE runbook_drills SET outcome = ?, ended_at = ?, detail = ? WHERE id = ?")
                .params(outcome.name(), Timestamps.utc(Timestamps.now()), clip(detail), id).update();
    }

    public Optional<DrillRun> find(String id) {
        return jdbc.sql("SELECT * FROM runbook_drills WHERE id = ?").param(id).query(DrillRunRepository::row).optional();
    }

    /** The runbook's most recent drills first. */
    public List<DrillRun> recent(String runbook, int limit) {
        return jdbc.sql("SELECT * FROM runbook_drills WHERE runbook = :runbook ORDER BY fired_at DESC"
                        + " FETCH FIRST :limit ROWS ONLY")
                .param("runbook", runbook).param("limit", limit).query(DrillRunRepository::row).list();
    }

    public void deleteAll(String runbook) {
        jdbc.sql("DELETE FROM runbook_drills WHERE runbook = ?").param(runbook).update();
    }

    private static String clip(String s) {
        return s == null || s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT);
    }

    private static DrillRun row(ResultSet rs, int n) throws SQLException {
        return new DrillRun(rs.getString("id"), rs.getString("runbook"), Timestamps.read(rs, "scheduled_at"),
                Timestamps.read(rs, "fired_at"), Timestamps.read(rs, "ended_at"), rs.getString("node"),
                DrillRun.Cause.valueOf(rs.getString("cause")), DrillRun.Outcome.valueOf(rs.getString("outcome")),
                rs.getString("run_id"), rs.getString("detail"));
    }
}
