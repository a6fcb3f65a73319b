package io.lifeboat.appliance.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import io.lifeboat.appliance.config.ApplianceNode;
import io.lifeboat.appliance.error.ApplianceException;
import io.lifeboat.store.Progress;
import io.lifeboat.store.manifest.RestorePointId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Table {@code jobs}. A job goes QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED; once final it
 * no longer changes, so a late progress update from a dying worker cannot revive it.
 */
@Repository
public class JobRepository {

    private static final Logger log = LoggerFactory.getLogger(JobRepository.class);

    /** The node of a catalog that only one appliance uses (tools and tests). */
    public static final String SOLE_NODE = "local";

    /** Told the id of each job whose row this repository has just changed. */
    @FunctionalInterface
    public interface Listener {
        void changed(UUID id);
    }

    /** Leading hex digits a short job id needs: what tells one job from another in practice. */
    public static final int SHORT_ID_DIGITS = 8;
    private static final Pattern FULL_ID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final int[] DASHES = {8, 12, 16, 20};

    private final JdbcClient jdbc;
    private final String node;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

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

    /**
     * Tells {@code listener} of every job row this repository creates or changes from now on
     * (created, started, progress, ended), on the thread that changed it; a listener must not
     * block. Rows other appliances change in a shared catalog are not seen.
     */
    public void listen(Listener listener) {
        listeners.add(listener);
    }

    private boolean changed(UUID id, boolean changed) {
        if (changed) {
            for (Listener l : listeners) {
                try {
                    l.changed(id);
                } catch (RuntimeException e) {
                    log.warn("Job {}: a listener failed: {}", id, e.toString());
                }
            }
        }
        return changed;
    }

    /**
     * The job {@code id} names: a whole UUID, or a prefix of one with at least
     * {@value #SHORT_ID_DIGITS} hex digits (dashes optional) that only one job's id starts with.
     * Not hex is BAD_REQUEST, no such job NOT_FOUND, a prefix of several CONFLICT naming them.
     */
    public UUID resolve(String id) {
        if (FULL_ID.matcher(id).matches()) {
            return UUID.fromString(id);
        }
        String hex = id.replace("-", "").toLowerCase(Locale.ROOT);
        if (!hex.matches("[0-9a-f]{" + SHORT_ID_DIGITS + ",32}")) {
            throw ApplianceException.badRequest("'" + id + "' is not a job id: a UUID, or at least "
                    + SHORT_ID_DIGITS + " of its leading hex digits");
        }
        StringBuilder prefix = new StringBuilder(hex);
        for (int i = DASHES.length - 1; i >= 0; i--) {
            if (hex.length() > DASHES[i]) {
                prefix.insert(DASHES[i], '-');
            }
        }
        List<String> matches = jdbc.sql("SELECT id FROM jobs WHERE id LIKE ? ORDER BY id FETCH FIRST 11 ROWS ONLY")
                .param(prefix + "%")
                .query(String.class)
                .list();
        if (matches.isEmpty()) {
            throw ApplianceException.notFound("no job " + id);
        }
        if (matches.size() > 1) {
            throw ApplianceException.conflict("job id " + id + " is ambiguous: it starts "
                    + (matches.size() > 10 ? "more than 10 jobs' ids, among them " : "the ids of ")
                    + String.join(", ", matches.subList(0, Math.min(10, matches.size())))
                    + "; give more of it");
        }
        return UUID.fromString(matches.get(0));
    }

    /** A new job, QUEUED. */
    public Job create(Job.Kind kind, String vm) {
        Job job = new Job(UUID.randomUUID(), kind, vm, Job.State.QUEUED, null, 0, 0, Timestamps.now(), null, null, null, null, null);
        jdbc.sql("INSERT INTO jobs (id, kind, vm, state, phase, bytes_done, bytes_total, created_at, node)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(job.id().toString(), kind.name(), vm, job.state().name(), null, 0L, 0L,
                        Timestamps.utc(job.created()), node)
                .update();
        log(job.id(), "QUEUED", null);
        changed(job.id(), true);
        return job;
    }

    /** QUEUED → RUNNING; false if the job was not queued (cancelled meanwhile, say). */
    public boolean start(UUID id) {
        return changed(id, logIf(jdbc.sql("UPDATE jobs SET state = 'RUNNING', started_at = ? WHERE id = ? AND state = 'QUEUED'")
                .params(Timestamps.utc(Timestamps.now()), id.toString())
                .update() == 1, id, "RUNNING", null));
    }

    /** Records a running job's progress; false if it is not running. */
    public boolean progress(UUID id, Progress.Snapshot progress) {
        // a new phase is a line of the job's log; more bytes done is not
        boolean newPhase = progress.phase() != null && jdbc.sql("UPDATE jobs SET phase = ?, bytes_done = ?, bytes_total = ?"
                        + " WHERE id = ? AND state = 'RUNNING' AND (phase IS NULL OR phase <> ?)")
                .params(progress.phase(), progress.done(), progress.total(), id.toString(), progress.phase())
                .update() == 1;
        if (newPhase) {
            log(id, "PHASE", progress.phase());
            return changed(id, true);
        }
        return bytes(id, progress);
    }

    /**
     * As {@link #progress(UUID, Progress.Snapshot)}, for a caller that knows whether the phase may
     * have changed since its last call: a tick within a phase then costs one UPDATE.
     */
    public boolean progress(UUID id, Progress.Snapshot progress, boolean phaseMayHaveChanged) {
        return phaseMayHaveChanged ? progress(id, progress) : bytes(id, progress);
    }

    private boolean bytes(UUID id, Progress.Snapshot progress) {
        return changed(id, jdbc.sql("UPDATE jobs SET phase = ?, bytes_done = ?, bytes_total = ? WHERE id = ? AND state = 'RUNNING'")
                .params(progress.phase(), progress.done(), progress.total(), id.toString())
                .update() == 1);
    }

    /** Ends a job that has not ended yet; false if it had. */
    public boolean finish(UUID id, Job.State state, String error) {
        if (!state.isFinal()) {
            throw new IllegalArgumentException(state + " is not a final state");
        }
        return changed(id, logIf(jdbc.sql("UPDATE jobs SET state = ?, ended_at = ?, error = ?"
                        + " WHERE id = ? AND state IN ('QUEUED', 'RUNNING')")
                .params(state.name(), Timestamps.utc(Timestamps.now()), error, id.toString())
                .update() == 1, id, state.name(), error));
    }

    /**
     * Ends every job of this node still QUEUED or RUNNING as FAILED with {@code reason}: run at
     * start, when no job of this appliance can be running any more (its process died with them).
     * Jobs of other appliances on a shared catalog are left alone; rows from before jobs recorded
     * their node count as this node's. Returns how many.
     */
    public int abandonUnfinished(String reason) {
        jdbc.sql("INSERT INTO job_log (job_id, logged_at, event, detail) SELECT id, ?, 'FAILED', ? FROM jobs"
                        + " WHERE state IN ('QUEUED', 'RUNNING') AND (node = ? OR node IS NULL)")
                .params(Timestamps.utc(Timestamps.now()), reason, node)
                .update();
        return jdbc.sql("UPDATE jobs SET state = 'FAILED', ended_at = ?, error = ?"
                        + " WHERE state IN ('QUEUED', 'RUNNING') AND (node = ? OR node IS NULL)")
                .params(Timestamps.utc(Timestamps.now()), reason, node)
                .update();
    }

    /** The node that created the job, or null for rows from before jobs recorded it. */
    public Optional<String> nodeOf(UUID id) {
        return jdbc.sql("SELECT node FROM jobs WHERE id = ?").param(id.toString()).query(String.class).optional();
    }

    /**
     * Ends a running job as SUCCEEDED with the restore point it produced and, for a backup, what it
     * did ({@code summary}, or null); false if it had ended.
     */
    public boolean succeeded(UUID id, RestorePointId restorePoint, JobSummary summary) {
        boolean ended = jdbc.sql("UPDATE jobs SET state = 'SUCCEEDED', ended_at = ?, error = NULL, restore_point = ?,"
                        + " read_bytes = ?, new_bytes = ?, stored_bytes = ?, duration_ms = ?"
                        + " WHERE id = ? AND state IN ('QUEUED', 'RUNNING')")
                .params(Timestamps.utc(Timestamps.now()), restorePoint.toString(),
                        summary == null ? null : summary.readBytes(), summary == null ? null : summary.newBytes(),
                        summary == null ? null : summary.storedBytes(), summary == null ? null : summary.durationMillis(),
                        id.toString())
                .update() == 1;
        return changed(id, logIf(ended, id, "SUCCEEDED", restorePoint.toString()));
    }

    /**
     * One line of a job's log.
     *
     * @param event  QUEUED, RUNNING, PHASE, SUCCEEDED, FAILED or CANCELLED
     * @param detail the phase, the error, the restore point a backup produced, or null
     */
    public record LogLine(Instant time, String event, String detail) {
    }

    /** A job's log in the order written. */
    public List<LogLine> log(UUID id) {
        return jdbc.sql("SELECT logged_at, event, detail FROM job_log WHERE job_id = ? ORDER BY id")
                .param(id.toString())
                .query((rs, n) -> new LogLine(Timestamps.read(rs, "logged_at"), rs.getString("event"), rs.getString("detail")))
                .list();
    }

    private void log(UUID id, String event, String detail) {
        jdbc.sql("INSERT INTO job_log (job_id, logged_at, event, detail) VALUES (?, ?, ?, ?)")
                .params(id.toString(), Timestamps.utc(Timestamps.now()), event,
                        detail == null ? null : detail.length() > 2000 ? detail.substring(0, 1999) + "…" : detail)
                .update();
    }

    private boolean logIf(boolean changed, UUID id, String event, String detail) {
        if (changed) {
            log(id, event, detail);
        }
        return changed;
    }

    public Optional<Job> find(UUID id) {
        return jdbc.sql("SELECT * FROM jobs WHERE id = ?").param(id.toString()).query(JobRepository::row).optional();
    }

    /** The most recent jobs first, optionally only those in one state. */
    public List<Job> list(Job.State state, int limit) {
        return list(state, null, null, limit);
    }

    /** The most recent jobs first, optionally only those in one state, of one kind, of one VM (null: any). */
    public List<Job> list(Job.State state, Job.Kind kind, String vm, int limit) {
        List<String> where = new ArrayList<>();
        if (state != null) {
            where.add("state = :state");
        }
        if (kind != null) {
            where.add("kind = :kind");
        }
        if (vm != null) {
            where.add("vm = :vm");
        }
        return jdbc.sql("SELECT * FROM jobs" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                        + " ORDER BY created_at DESC, id FETCH FIRST :limit ROWS ONLY")
                .param("state", state == null ? null : state.name())
                .param("kind", kind == null ? null : kind.name())
                .param("vm", vm)
                .param("limit", limit)
                .query(JobRepository::row)
                .list();
    }

    /** The most recent job of {@code kind} for {@code vm}, whatever its state. */
    public Optional<Job> latest(Job.Kind kind, String vm) {
        return jdbc.sql("SELECT * FROM jobs WHERE kind = ? AND vm = ? ORDER BY created_at DESC, id FETCH FIRST 1 ROWS ONLY")
                .params(kind.name(), vm)
                .query(JobRepository::row)
                .optional();
    }

    /** Jobs that ended FAILED at or after {@code since}, the latest end first. */
    public List<Job> failedSince(Instant since, int limit) {
        return jdbc.sql("SELECT * FROM jobs WHERE state = 'FAILED' AND ended_at >= :since"
                        + " ORDER BY ended_at DESC, id FETCH FIRST :limit ROWS ONLY")
                .param("since", Timestamps.utc(since))
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
                rs.getString("restore_point"),
                summary(rs));
    }

    private static JobSummary summary(ResultSet rs) throws SQLException {
        long read = rs.getLong("read_bytes");
        if (rs.wasNull()) {
            return null;
        }
        return new JobSummary(read, rs.getLong("new_bytes"), rs.getLong("stored_bytes"), rs.getLong("duration_ms"));
    }
}
