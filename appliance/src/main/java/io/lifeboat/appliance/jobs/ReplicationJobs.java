package io.lifeboat.appliance.jobs;

import io.lifeboat.appliance.api.ConflictException;
import io.lifeboat.appliance.api.UnprocessableException;
import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.catalog.JobRepository;
import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.store.Progress;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.replication.BucketReader;
import io.lifeboat.store.replication.ReplicationReport;
import io.lifeboat.store.replication.Replicator;
import io.lifeboat.store.replication.S3Target;
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
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Replication of the chunk store to the configured bucket, as catalog jobs (kind REPLICATION):
 * on demand, and after each successful backup when {@code lifeboat.replication.after-backup}.
 * One run at a time; a run uploads only what the bucket lacks, so a run that was interrupted (or
 * missed because one was already going) is caught up by the next.
 */
@Service
public class ReplicationJobs {
    private static final Logger log = LoggerFactory.getLogger(ReplicationJobs.class);

    private final ChunkStore store;
    private final JobRepository jobs;
    private final ReplicationProperties settings;
    private final Duration progressInterval;
    private final ScheduledExecutorService threads = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "replication");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicReference<Job> running = new AtomicReference<>();
    private volatile LastRun last;

    /** The outcome of the latest run this appliance made. */
    public record LastRun(java.util.UUID job, Instant ended, ReplicationReport report, String error) {
    }

    /** Per VM: the newest restore point in the bucket, and how old it is (the replication lag). */
    public record VmLag(String newestInBucket, Long lagSeconds) {
    }

    /** What GET /api/replication shows; never the secret key. */
    public record Status(boolean configured, String endpoint, String bucket, String region, boolean afterBackup,
                         Job running, LastRun last, Map<String, VmLag> vms) {
    }

    /** The answer of a connection test. */
    public record Check(boolean ok, String message) {
    }

    public ReplicationJobs(ChunkStore store, JobRepository jobs, ReplicationProperties settings, BackupProperties backup) {
        this.store = store;
        this.jobs = jobs;
        this.settings = settings;
        this.progressInterval = backup.progressInterval();
    }

    /** Bad settings are said at start, clearly, without stopping the appliance: local backups go on. */
    @EventListener(ApplicationReadyEvent.class)
    void checkAtStart() {
        if (settings.configured()) {
            Check c = test();
            if (c.ok()) {
                log.info("Replication to {}: {}", settings.bucket(), c.message());
            } else {
                log.warn("Replication to {} will fail until this is fixed: {}", settings.bucket(), c.message());
            }
        }
    }

    public Check test() {
        requireConfigured();
        try (S3Target target = new S3Target(settings.settings())) {
            target.testConnection();
            return new Check(true, "bucket '" + settings.bucket() + "' answers and accepts our credentials");
        } catch (StoreException | RuntimeException e) {
            return new Check(false, e.getMessage());
        }
    }

    /** Starts a run; 409 if one is going, 422 if replication is not configured. */
    public Job start() {
        requireConfigured();
        // Claim first, then record: a refused request leaves no job row behind.
        if (!busy.compareAndSet(false, true)) {
            Job other = running.get();
            throw new ConflictException("a replication is already running" + (other == null ? "" : " (job " + other.id() + ")"));
        }
        try {
            Job job = jobs.create(Job.Kind.REPLICATION, null);
            running.set(job);
            threads.execute(() -> run(job));
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
            } catch (ConflictException alreadyRunning) {
                // the run going on, or the next one, takes the new restore point along
            }
        }
    }

    private void run(Job job) {
        Progress progress = new Progress();
        ScheduledFuture<?> copier = threads.scheduleAtFixedRate(() -> jobs.progress(job.id(), progress.snapshot()),
                progressInterval.toMillis(), progressInterval.toMillis(), TimeUnit.MILLISECONDS);
        try (S3Target target = new S3Target(settings.settings())) {
            jobs.start(job.id());
            ReplicationReport r = new Replicator(store.get(), target).run(progress);
            copier.cancel(false);
            jobs.progress(job.id(), progress.snapshot());
            String error = r.ok() ? null : String.join("; ", r.failures());
            jobs.finish(job.id(), r.ok() ? Job.State.SUCCEEDED : Job.State.FAILED, error);
            last = new LastRun(job.id(), Instant.now(), r, error);
            log.info("Replication job {}: {} pack(s) and {} restore point(s) uploaded, {} bytes{}", job.id(),
                    r.uploadedPacks(), r.uploadedManifests(), r.uploadedBytes(), r.ok() ? "" : "; failed: " + error);
        } catch (StoreException | RuntimeException e) {
            copier.cancel(false);
            jobs.finish(job.id(), Job.State.FAILED, e.getMessage());
            last = new LastRun(job.id(), Instant.now(), null, e.getMessage());
            log.warn("Replication job {} failed: {}", job.id(), e.getMessage());
        } finally {
            running.set(null);
            busy.set(false);
        }
    }

    /** Settings, the running and the latest run, and each VM's lag (read from the bucket). */
    public Status status() throws StoreException {
        Map<String, VmLag> vms = new TreeMap<>();
        if (settings.configured()) {
            for (RestorePointId id : store.get().list()) {
                vms.putIfAbsent(id.vm(), new VmLag(null, null));
            }
            try (S3Target target = new S3Target(settings.settings())) {
                List<RestorePointId> inBucket = new BucketReader(target).restorePoints();
                Instant now = Instant.now();
                for (RestorePointId id : inBucket) {
                    VmLag known = vms.get(id.vm());
                    if (known == null || known.newestInBucket() == null
                            || RestorePointId.parse(known.newestInBucket()).time().isBefore(id.time())) {
                        vms.put(id.vm(), new VmLag(id.toString(), Duration.between(id.time(), now).toSeconds()));
                    }
                }
            }
        }
        return new Status(settings.configured(), settings.endpoint() == null ? null : settings.endpoint().toString(),
                settings.bucket(), settings.region(), settings.afterBackup(), running.get(), last, vms);
    }

    private void requireConfigured() {
        if (!settings.configured()) {
            throw new UnprocessableException("replication is not configured: set lifeboat.replication.bucket"
                    + " (and endpoint, access-key, secret-key for an S3-compatible server)");
        }
    }

    @PreDestroy
    void shutdown() {
        threads.shutdownNow();
    }
}
