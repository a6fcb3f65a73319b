package io.lifeboat.appliance.policy;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.lifeboat.appliance.catalog.Timestamps;
import io.lifeboat.scheduler.policy.ScheduleKind;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** Table {@code policy_runs}: what each firing of a policy schedule decided and did. */
@Repository
public class PolicyRunRepository {

    private static final int MAX_TEXT = 4000;

    private final JdbcClient jdbc;

    public PolicyRunRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records a firing as it starts (RUNNING) or as it is decided (a skip, a pending misfire). */
    public PolicyRun record(String policy, ScheduleKind kind, Instant scheduled, Instant fired, String node,
                            PolicyRun.Cause cause, PolicyRun.Outcome outcome, String detail) {
        String id = UUID.randomUUID().toString();
        Instant ended = outcome.isFinal() ? Timestamps.now() : null;
        jdbc.sql("INSERT INTO policy_runs (id, policy, kind, scheduled_at, fired_at, ended_at, node, cause, outcome, detail)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(id, policy, kind.name(), Timestamps.utc(scheduled), Timestamps.utc(fired),
                        ended == null ? null : Timestamps.utc(ended), node, cause.name(), outcome.name(), clip(detail))
                .update();
        return find(id).orElseThrow();
    }

    /**
     * Takes over the oldest pending misfire of this schedule for the firing that catches it up:
     * it becomes RUNNING on {@code node}, fired now. Several pending misfires run once: the others
     * end SKIPPED_MISFIRE. Empty when nothing was missed.
     */
    @Transactional
    public Optional<PolicyRun> takePendingMisfire(String policy, ScheduleKind kind, Instant fired, String node) {
        List<String> pending = jdbc.sql("SELECT id FROM policy_runs WHERE policy = ? AND kind = ? AND outcome = 'MISFIRE_PENDING'"
                        + " ORDER BY scheduled_at")
                .params(policy, kind.name()).query(String.class).list();
        for (String id : pending) {
            int taken = jdbc.sql("UPDATE policy_runs SET outcome = 'RUNNING', fired_at = ?, node = ?"
                            + " WHERE id = ? AND outcome = 'MISFIRE_PENDING'")
                    .params(Timestamps.utc(fired), node, id).update();
            if (taken == 1) {
                jdbc.sql("UPDATE policy_runs SET outcome = 'SKIPPED_MISFIRE', ended_at = ?,"
                                + " detail = ?"
                                + " WHERE policy = ? AND kind = ? AND outcome = 'MISFIRE_PENDING'")
                        .params(Timestamps.utc(fired), "missed as well; the catch-up run " + id + " covers it",
                                policy, kind.name()).update();
                return find(id);
            }
        }
        return Optional.empty();
    }

    /** Notes the VMs a run works on and the jobs it started so far. */
    public void progress(String id, List<String> vms, List<String> jobIds) {
        jdbc.sql("UPDATE policy_runs SET vms = ?, job_ids = ? WHERE id = ?")
                .params(clip(String.join(",", vms)), clip(String.join(",", jobIds)), id).update();
    }

    public void finish(String id, PolicyRun.Outcome outcome, String detail) {
        jdbc.sql("UPDATE policy_runs SET outcome = ?, ended_at = ?, detail = ? WHERE id = ?")
                .params(outcome.name(), Timestamps.utc(Timestamps.now()), clip(detail), id).update();
    }

    public Optional<PolicyRun> find(String id) {
        return jdbc.sql("SELECT * FROM policy_runs WHERE id = ?").param(id).query(PolicyRunRepository::row).optional();
    }

    /** A policy's most recent runs first. */
    public List<PolicyRun> recent(String policy, int limit) {
        return jdbc.sql("SELECT * FROM policy_runs WHERE policy = :policy ORDER BY scheduled_at DESC, fired_at DESC"
                        + " FETCH FIRST :limit ROWS ONLY")
                .param("policy", policy).param("limit", limit)
                .query(PolicyRunRepository::row).list();
    }

    public void deleteAll(String policy) {
        jdbc.sql("DELETE FROM policy_runs WHERE policy = ?").param(policy).update();
    }

    private static String clip(String s) {
        return s == null || s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT);
    }

    private static List<String> list(String csv) {
        return csv == null || csv.isEmpty() ? List.of() : Arrays.asList(csv.split(","));
    }

    private static PolicyRun row(ResultSet rs, int n) throws SQLException {
        return new PolicyRun(rs.getString("id"), rs.getString("policy"),
                ScheduleKind.valueOf(rs.getString("kind")),
                Timestamps.read(rs, "scheduled_at"), Timestamps.read(rs, "fired_at"), Timestamps.read(rs, "ended_at"),
                rs.getString("node"), PolicyRun.Cause.valueOf(rs.getString("cause")),
                PolicyRun.Outcome.valueOf(rs.getString("outcome")),
                list(rs.getString("vms")), list(rs.getString("job_ids")), rs.getString("detail"));
    }
}
