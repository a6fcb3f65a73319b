package io.lifeboat.appliance.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.lifeboat.appliance.config.ApplianceNode;
import io.lifeboat.store.Progress;
import io.lifeboat.store.manifest.RestorePointId;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Table {@code jobs}. A job goes QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED; once final it
 * no longer changes, so a late progress update from a dying worker cannot revive it.
 */
@Repository
public class JobRepository {

    /** The node of a catalog that only one appliance uses (tools and tests). */
    public static final String SOLE_NODE = "local";

    private final JdbcClient jdbc;
    private final String node;

    public JobRepository(JdbcClient jdbc) {
        this(jdbc, SOLE_NODE);
    }

    /** Jobs created here are recorded as run by {@code node} (see {@link ApplianceNode}). */
    public JobRepository(JdbcClient jdbc, String node) {
        this.jdbc = jdbc;
        this.node = node;
    }

    @Autowired
    public JobRepository(JdbcClient jdbc, ApplianceNode node) {
        this(jdbc, node.id());
    }

    /** A new job, QUEUED. */
    public Job create(Job.Kind kind, String vm) {
        Job job = new Job(UUID.randomUUID(), kind, vm, Job.State.QUEUED, null, 0, 0, Timestamps.now(), null, null, null, null);
        jdbc.sql("INSERT INTO jobs (id, kind, vm, state, phase, bytes_done, bytes_total, created_at, node)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(job.id().toString(), kind.name(), vm, job.state().name(), null, 0L, 0L,
                        Timestamps.utc(job.created()), node)
                .update();
        return job;
    }

    /** QUEUED → RUNNING; false if the job was not queued (cancelled meanwhile, say). */
    public boolean start(UUID id) {
        return jdbc.sql("UPDATE jobs SET state = 'RUNNING', started_at = ? WHERE id = ? AND state = 'QUEUED'")
                .params(Timestamps.utc(Timestamps.now()), id.toString())
                .update() == 1;
    }

    /** Records a running job's progress; false if it is not running. */
    public boolean progress(UUID id, Progress.Snapshot progress) {
        return jdbc.sql("UPDATE jobs SET phase = ?, bytes_done = ?, bytes_total = ? WHERE id = ? AND state = 'RUNNING'")
                .params(progress.phase(), progress.done(), progress.total(), id.toString())
                .update() == 1;
    }

    /** Ends a job that has not ended yet; false if it had. */
    public boolean finish(UUID id, Job.State state, String error) {
        if (!state.isFinal()) {
            throw new IllegalArgumentException(state + " is not a final state");
        }
        return jdbc.sql("UPDATE jobs SET state = ?, ended_at = ?, error = ?"
                        + " WHERE id = ? AND state IN ('QUEUED', 'RUNNING')")
                .params(state.name(), Timestamps.utc(Timestamps.now()), error, id.toString())
                .update() == 1;
    }

    /**
     * Ends every job of this node still QUEUED or RUNNING as FAILED with {@code reason}: run at
     * start, when no job of this appliance can be running any more (its process died with them).
     * Jobs of other appliances on a shared catalog are left alone; rows from before jobs recorded
     * their node count as this node's. Returns how many.
     */
    public int abandonUnfinished(String reason) {
        return jdbc.sql("UPDATE jobs SET state = 'FAILED', ended_at = ?, error = ?"
                        + " WHERE state IN ('QUEUED', 'RUNNING') AND (node = ? OR node IS NULL)")
                .params(Timestamps.utc(Timestamps.now()), reason, node)
                .update();
    }

    /** The node that created the job, or null for rows from before jobs recorded it. */
    public Optional<String> nodeOf(UUID id) {
        return jdbc.sql("SELECT node FROM jobs WHERE id = ?").param(id.toString()).query(String.class).optional();
    }

    /** Ends a running backup job as SUCCEEDED with the restore point it produced; false if it had ended. */
    public boolean succeeded(UUID id, RestorePointId restorePoint) {
        return jdbc.sql("UPDATE jobs SET state = 'SUCCEEDED', ended_at = ?, error = NULL, restore_point = ?"
                        + " WHERE id = ? AND state IN ('QUEUED', 'RUNNING')")
                .params(Timestamps.utc(Timestamps.now()), restorePoint.toString(), id.toString())
                .update() == 1;
    }

    public Optional<Job> find(UUID id) {
        return jdbc.sql("SELECT * FROM jobs WHERE id = ?").param(id.toString()).query(JobRepository::row).optional();
    }

    /** The most recent jobs first, optionally only those in one state. */
    public List<Job> list(Job.State state, int limit) {
        String where = state == null ? "" : " WHERE state = :state";
        return jdbc.sql("SELECT * FROM jobs" + where + " ORDER BY created_at DESC, id FETCH FIRST :limit ROWS ONLY")
                .param("state", state == null ? null : state.name())
                .param("limit", limit)
                .query(JobRepository::row)
                .list();
    }

    private static Job row(ResultSet rs, int n) throws SQLException {
        return new Job(UUID.fromString(rs.getString("id")),
                Job.Kind.valueOf(rs.getString("kind")),
                rs.getString("vm"),
                Job.State.valueOf(rs.getString("state")),
                rs.getString("phase"),
                rs.getLong("bytes_done"),
                rs.getLong("bytes_total"),
                Timestamps.read(rs, "created_at"),
                Timestamps.read(rs, "started_at"),
                Timestamps.read(rs, "ended_at"),
                rs.getString("error"),
                rs.getString("restore_point"));
    }
}
