package io.lifeboat.appliance.jobs;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.lifeboat.appliance.api.ConflictException;
import io.lifeboat.appliance.api.NotFoundException;
import io.lifeboat.appliance.backup.BackupEngine;
import io.lifeboat.appliance.backup.BackupException;
import io.lifeboat.appliance.backup.BackupJob;
import io.lifeboat.appliance.backup.BackupResult;
import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.catalog.JobRepository;
import io.lifeboat.appliance.catalog.RestorePoint;
import io.lifeboat.appliance.catalog.RestorePointRepository;
import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.Manifest;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * Backup jobs as the catalog records them. {@link #start} asks the {@link BackupEngine} for a
 * job (so an unknown VM, a VM without disks or a backup already running fails the request at
 * once), records it QUEUED and hands it to a watcher thread, which marks it RUNNING, copies the
 * engine's {@link io.lifeboat.store.Progress} to the catalog every {@code progressInterval}, and
 * at the end records the restore point and ends the job SUCCEEDED, FAILED or CANCELLED.
 *
 * <p>Policies start their backups through {@link #startWithinLimit}, which starts one only while
 * fewer than {@code lifeboat.backup.max-concurrent} backups run on this appliance, whatever
 * started them; so several policies firing together share that many slots. A backup asked for
 * through the API ({@link #start}) starts at once and takes a slot too.
 *
 * <p>Only jobs started by this appliance can be cancelled here; a RUNNING row left by a crashed
 * appliance (or owned by another appliance on a shared catalog) is a 409.
 */
@Service
public class BackupJobs {

    private static final Logger log = LoggerFactory.getLogger(BackupJobs.class);
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(90);

    private final ObjectProvider<BackupEngine> engine;
    private final ChunkStore store;
    private final JobRepository jobs;
    private final RestorePointRepository restorePoints;
    private final Duration progressInterval;
    private final ReplicationJobs replication;
    private final Map<UUID, BackupJob> active = new ConcurrentHashMap<>();
    private final int maxConcurrent;
    private final Object admission = new Object();
    private final ExecutorService watchers;

    public BackupJobs(ObjectProvider<BackupEngine> engine, ChunkStore store, JobRepository jobs,
                      RestorePointRepository restorePoints, BackupProperties properties, ReplicationJobs replication) {
        this.engine = engine;
        this.replication = replication;
        this.store = store;
        this.jobs = jobs;
        this.restorePoints = restorePoints;
        this.progressInterval = properties.progressInterval();
        this.maxConcurrent = properties.maxConcurrent();
        AtomicInteger n = new AtomicInteger();
        // One watcher per job: the engine runs every job at once too, so a bounded pool would only
        // leave started jobs looking QUEUED.
        this.watchers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "backup-watch-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts a backup of {@code vm} on the default host; the job as recorded, QUEUED. */
    public Job start(String vm) throws BackupException, StoreException {
        BackupEngine e = engine.getIfAvailable();
        if (e == null) {
            store.get(); // throws why there is no store, hence no engine
            throw new IllegalStateException("no backup engine although the store is open");
        }
        BackupJob backup = e.start(vm);
        Job job = jobs.create(Job.Kind.BACKUP, vm);
        active.put(job.id(), backup);
        log.info("Backup job {} of {} started (engine job {})", job.id(), vm, backup.id());
        watchers.execute(() -> watch(job.id(), backup));
        return job;
    }

    /**
     * Starts a backup of {@code vm} as {@link #start} does if fewer than
     * {@code lifeboat.backup.max-concurrent} backups run on this appliance; empty if the appliance
     * is at its limit, so the caller waits for a slot.
     */
    public Optional<Job> startWithinLimit(String vm) throws BackupException, StoreException {
        synchronized (admission) {
            if (active.size() >= maxConcurrent) {
                return Optional.empty();
            }
            return Optional.of(start(vm));
        }
    }

    /**
     * Asks a running backup job to stop; it ends CANCELLED unless it was already committing its
     * restore point. Unknown is 404; finished, or not running on this appliance, is 409.
     */
    public Job cancel(UUID id) {
        Job job = jobs.find(id).orElseThrow(() -> new NotFoundException("no job " + id));
        if (job.state().isFinal()) {
            throw new ConflictException("job " + id + " has already ended (" + job.state() + ")");
        }
        BackupJob backup = active.get(id);
        if (backup == null) {
            throw new ConflictException("job " + id + " is not running on this appliance; it cannot be cancelled here");
        }
        backup.cancel();
        log.info("Cancel requested for backup job {} of {}", id, job.vm());
        return jobs.find(id).orElseThrow();
    }

    private void watch(UUID id, BackupJob backup) {
        try {
            jobs.start(id);
            BackupResult result = awaitCopyingProgress(id, backup);
            jobs.progress(id, backup.progress().snapshot());
            recordRestorePoint(result);
            jobs.succeeded(id, result.restorePoint());
            log.info("Backup job {} of {}: {} restore point {} ({} bytes read, {} new bytes stored)", id, backup.vm(),
                    result.kind(), result.restorePoint(), result.bytesRead(), result.newStoredBytes());
            result.warnings().forEach(w -> log.warn("Backup job {} of {}: {}", id, backup.vm(), w));
            replication.afterBackup();
        } catch (BackupException e) {
            jobs.progress(id, backup.progress().snapshot());
            boolean cancelled = e.kind() == BackupException.Kind.CANCELLED;
            jobs.finish(id, cancelled ? Job.State.CANCELLED : Job.State.FAILED, e.getMessage());
            if (cancelled) {
                log.info("Backup job {} of {} cancelled", id, backup.vm());
            } else {
                log.error("Backup job {} of {} failed: {}", id, backup.vm(), e.getMessage(), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            backup.cancel();
            jobs.finish(id, Job.State.CANCELLED, "the appliance shut down");
        } catch (RuntimeException | StoreException e) {
            // The restore point may exist in the store; the next catalog sync or a GC finds it.
            log.error("Backup job {} of {}: cannot record the outcome", id, backup.vm(), e);
            jobs.finish(id, Job.State.FAILED, "cannot record the outcome: " + e.getMessage());
        } finally {
            active.remove(id);
        }
    }

    private BackupResult awaitCopyingProgress(UUID id, BackupJob backup) throws BackupException, InterruptedException {
        while (true) {
            try {
                return backup.await(progressInterval);
            } catch (TimeoutException e) {
                jobs.progress(id, backup.progress().snapshot());
            }
        }
    }

    private void recordRestorePoint(BackupResult result) throws StoreException {
        Manifest manifest = store.get().manifest(result.restorePoint());
        restorePoints.insert(RestorePoint.committed(manifest, result.newRawBytes(), result.newStoredBytes(),
                result.elapsed(), result.checkpoint()));
    }

    /** Cancels the jobs still running and waits for their rows to be final, before the engine closes. */
    @PreDestroy
    void shutdown() throws InterruptedException {
        active.values().forEach(BackupJob::cancel);
        watchers.shutdown();
        if (!watchers.awaitTermination(SHUTDOWN_WAIT.toSeconds(), TimeUnit.SECONDS)) {
            log.warn("Backup jobs still running after {} s at shutdown: {}", SHUTDOWN_WAIT.toSeconds(), active.keySet());
        }
    }
}
