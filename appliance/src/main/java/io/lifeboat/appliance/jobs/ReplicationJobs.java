package io.lifeboat.appliance.jobs;

import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.catalog.ReplicationStateRepository;
import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.appliance.error.ApplianceException;
import io.lifeboat.appliance.runbook.RunbookReplication;
import io.lifeboat.store.Progress;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.replication.BucketReader;
import io.lifeboat.store.replication.ReplicationReport;
import io.lifeboat.store.replication.Replicator;
import io.lifeboat.store.replication.S3Target;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Replication of the chunk store to the configured bucket, as catalog jobs (kind REPLICATION):
 * on demand, after each successful backup when {@code lifeboat.replication.after-backup}, and
 * every {@code lifeboat.replication.every}, and at start when the latest run did not succeed (the
 * appliance stopped during it, say). One run at a time; a run uploads only what the bucket
 * lacks, so a run that was interrupted, failed, or was skipped because one was already going is
 * caught up by the next.
 *
 * <p>After each run the restore points the bucket holds are listed once and the newest per VM is
 * kept in the catalog ({@link ReplicationStateRepository}): status and the
 * {@code lifeboat_replication_lag_seconds} metric read it from there.
 */
@Service
public class ReplicationJobs {
    private static final Logger log = LoggerFactory.getLogger(ReplicationJobs.class);

    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(10);

    private final ChunkStore store;
    private final RunbookReplication runbooks;
    private final JobRunner runner;
    private final ReplicationStateRepository state;
    private final ReplicationProperties settings;
    private final MultiGauge lagGauge;
    private final Counter uploadedBytes;
    private final ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "replication");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicReference<Job> running = new AtomicReference<>();

    /**
     * Per VM: the newest restore point in the bucket, how old it is (the replication lag), and
     * when the bucket was last listed; both null for a VM with restore points none of which is
     * in the bucket yet.
     */
    public record VmLag(String newestInBucket, Long lagSeconds, Instant checkedAt) {
    }

    /**
     * What GET /api/replication shows; never the secret key ({@code accessKeyId} is the key pair's
     * public half, null without keys). {@code uploads} is the upload encoding
     * as configured ({@code auto} parts are probed at each run). {@code every} is null when there is
     * no schedule, {@code pruneGrace} when pruning is off.
     */
    public record Status(boolean configured, String endpoint, String bucket, String region, String accessKeyId, String uploads, boolean afterBackup,
                         Duration every, Duration pruneGrace, Job running, ReplicationStateRepository.Run last,
                         Map<String, VmLag> vms) {
    }

    /**
     * The answer of a connection test: whether the bucket answers and accepts our credentials, and
     * how the probe found uploads must be encoded for this server ({@code uploads}, null if the
     * test failed before it) with what each encoding tried before that one did ({@code refused}).
     */
    public record Check(boolean ok, String message, String uploads, List<String> refused) {
    }

    public ReplicationJobs(ChunkStore store, JobRunner runner, ReplicationStateRepository state,
                           ReplicationProperties settings, MeterRegistry metrics, RunbookReplication runbooks) {
        this.store = store;
        this.runbooks = runbooks;
        this.runner = runner;
        this.state = state;
        this.settings = settings;
        this.lagGauge = MultiGauge.builder("lifeboat.replication.lag")
                .baseUnit("seconds")
                .description("Age of the newest restore point of the VM that the bucket holds")
                .register(metrics);
        this.uploadedBytes = Counter.builder("lifeboat.replication.uploaded")
                .baseUnit("bytes")
                .description("Bytes of packs and manifests uploaded to the bucket")
                .register(metrics);
    }

    /**
     * Bad settings are said at start, clearly, without stopping the appliance: local backups go
     * on, and the schedule catches up once the bucket answers.
     */
    @EventListener(ApplicationReadyEvent.class)
    void startSchedule() {
        publishLag();
        if (!settings.configured()) {
            return;
        }
        Check c = test();
        if (c.ok()) {
            log.info("Replication to {}: {}", settings.bucket(), c.message());
        } else {
            log.warn("Replication to {} will fail until this is fixed: {}", settings.bucket(), c.message());
        }
        state.lastRun().filter(r -> r.state() != Job.State.SUCCEEDED).ifPresent(r -> {
            // a run cut short by a stop of the appliance, or one that failed: catch up now, not in an hour
            log.info("Replication job {} did not succeed ({}); replicating now", r.job(), r.error());
            scheduled();
        });
        Duration every = settings.every();
        if (!every.isZero()) {
            schedule.scheduleWithFixedDelay(this::scheduled, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void scheduled() {
        if (!busy.get()) {
            try {
                start();
            } catch (RuntimeException e) {
                if (e instanceof ApplianceException a && a.kind() == ApplianceException.Kind.CONFLICT) {
                    return; // a run on demand or after a backup got there first
                }
                log.warn("Scheduled replication could not start: {}", e.getMessage());
            }
        }
    }

    public Check test() {
        requireConfigured();
        try (S3Target target = new S3Target(settings.settings())) {
            target.testConnection();
            S3Target.Probe probe = target.probe();
            List<String> refused = probe.attempts().stream().filter(a -> a.problem() != null)
                    .map(a -> a.tried().describe() + ": " + a.problem()).toList();
            return new Check(true, "bucket '" + settings.bucket() + "' answers, accepts our credentials and stores"
                    + " what is sent intact; uploads use " + probe.chosen().describe(), probe.chosen().describe(), refused);
        } catch (StoreException | RuntimeException e) {
            return new Check(false, e.getMessage(), null, List.of());
        }
    }

    /** Starts a run; 409 if one is going, 422 if replication is not configured. */
    public Job start() {
        requireConfigured();
        // Claim first, then record: a refused request leaves no job row behind.
        if (!busy.compareAndSet(false, true)) {
            Job other = running.get();
            throw ApplianceException.conflict("a replication is already running" + (other == null ? "" : " (job " + other.id() + ")"));
        }
        try {
            Job job = runner.create(Job.Kind.REPLICATION, null);
            running.set(job);
            runner.submit(job, "replication to " + settings.bucket(), false, new Progress(),
                    (progress, cancel) -> replicate(job, progress), this::ended, this::failed);
            return job;
        } catch (RuntimeException e) {
            running.set(null);
            busy.set(false);
            throw e;
        }
    }

    /** Called when a backup committed: replicate now unless turned off or already running. */
    public void afterBackup() {
        if (settings.configured() && settings.afterBackup() && !busy.get()) {
            try {
                start();
            } catch (ApplianceException e) {
                if (e.kind() != ApplianceException.Kind.CONFLICT) {
                    throw e;
                }
                // the run going on, or the next one, takes the new restore point along
            }
        }
    }

    private ReplicationReport replicate(Job job, Progress progress) throws StoreException {
        try (S3Target target = new S3Target(settings.settings())) {
            ReplicationReport r = new Replicator(store.get(), target, settings.options()).run(progress);
            uploadedBytes.increment(r.uploadedBytes());
            state.recordRun(job.id(), r);
            int runbookVersions;
            try {
                runbookVersions = runbooks.upload(target);
            } catch (StoreException e) {
                throw new StoreException(e.kind(), "the restore points went to the bucket but the runbooks did not: "
                        + e.getMessage(), e);
            }
            try {
                recordBucket(target);
            } catch (StoreException e) {
                log.warn("Replication job {}: could not list the bucket afterwards; the lag shown is from an earlier run: {}",
                        job.id(), e.getMessage());
            }
            log.info("Replication job {}: {} pack(s), {} restore point(s) and {} runbook version(s) uploaded, {} bytes{}",
                    job.id(), r.uploadedPacks(), r.uploadedManifests(), runbookVersions, r.uploadedBytes(),
                    r.ok() ? "" : "; failed: " + String.join("; ", r.failures()));
            return r;
        }
    }

    /** Released before the job's row is final: whoever sees the job ended can start the next run at once. */
    private JobRunner.End ended(ReplicationReport r) {
        release();
        return r.ok() ? JobRunner.End.succeeded() : JobRunner.End.failed(String.join("; ", r.failures()));
    }

    private JobRunner.End failed(Exception e, boolean cancelRequested, boolean shuttingDown) {
        release();
        return JobRunner.End.failed(e.getMessage());
    }

    private void release() {
        running.set(null);
        busy.set(false);
    }

    /** Lists the restore points the bucket holds and keeps the newest per VM in the catalog. */
    private void recordBucket(S3Target target) throws StoreException {
        state.recordBucket(new BucketReader(target).restorePoints(), Instant.now());
        publishLag();
    }

    /** One gauge per VM with a restore point in the bucket; the age is computed at each scrape. */
    private void publishLag() {
        List<MultiGauge.Row<?>> rows = state.vms().stream()
                .map(v -> MultiGauge.Row.of(Tags.of("vm", v.vm()), v.newestInBucket().time(),
                        t -> Duration.between(t, Instant.now()).toMillis() / 1000.0))
                .collect(java.util.stream.Collectors.toList());
        lagGauge.register(rows, true);
    }

    /**
     * Settings, the running and the latest run, and each VM's lag as of the latest run: VMs with
     * restore points in the local store or in the bucket.
     */
    public Status status() throws StoreException {
        Map<String, VmLag> vms = new TreeMap<>();
        if (settings.configured()) {
            for (RestorePointId id : store.get().list()) {
                vms.putIfAbsent(id.vm(), new VmLag(null, null, null));
            }
            Instant now = Instant.now();
            for (ReplicationStateRepository.VmState v : state.vms()) {
                vms.put(v.vm(), new VmLag(v.newestInBucket().toString(),
                        Duration.between(v.newestInBucket().time(), now).toSeconds(), v.checkedAt()));
            }
        }
        return new Status(settings.configured(), settings.endpoint() == null ? null : settings.endpoint().toString(),
                settings.bucket(), settings.region(), blankToNull(settings.accessKey()), settings.compatibility().describe(), settings.afterBackup(),
                settings.every().isZero() ? null : settings.every(), settings.prune() ? settings.pruneGrace() : null,
                running.get(), state.lastRun().orElse(null), vms);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private void requireConfigured() {
        if (!settings.configured()) {
            throw ApplianceException.unprocessable("replication is not configured: set lifeboat.replication.bucket"
                    + " (and endpoint, access-key, secret-key for an S3-compatible server)");
        }
    }

    /** Stops the schedule and the run going on, which ends FAILED; the next start catches up. */
    @PreDestroy
    void shutdown() {
        schedule.shutdownNow();
        runner.shutDown(SHUTDOWN_WAIT, Job.Kind.REPLICATION);
    }
}
