package io.lifeboat.appliance.jobs;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import io.lifeboat.appliance.backup.BackupEngine;
import io.lifeboat.appliance.inventory.LibvirtHosts;
import io.lifeboat.restore.runbook.FailbackBackups;
import io.lifeboat.appliance.backup.BackupException;
import io.lifeboat.appliance.backup.BackupJob;
import io.lifeboat.appliance.backup.BackupResult;
import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.catalog.JobSummary;
import io.lifeboat.appliance.catalog.RestorePoint;
import io.lifeboat.appliance.catalog.RestorePointRepository;
import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.appliance.error.ApplianceException;
import io.lifeboat.restore.Cancellation;
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
 * once), records it QUEUED and hands it to the {@link JobRunner}, which marks it RUNNING, copies the
 * engine's {@link io.lifeboat.store.Progress} to the catalog, and at the end the restore point is
 * recorded and the job ends SUCCEEDED, FAILED or CANCELLED.
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
public class BackupJobs implements FailbackBackups {

    private static final Logger log = LoggerFactory.getLogger(BackupJobs.class);
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(90);

    private final ObjectProvider<BackupEngine> engine;
    private final ChunkStore store;
    private final JobRunner runner;
    private final RestorePointRepository restorePoints;
    private final ReplicationJobs replication;
    private final int maxConcurrent;
    private final String defaultUri;
    private final Object admission = new Object();

    public BackupJobs(ObjectProvider<BackupEngine> engine, ChunkStore store, JobRunner runner,
                      RestorePointRepository restorePoints, BackupProperties properties, ReplicationJobs replication,
                      LibvirtHosts hosts) {
        this.defaultUri = hosts.defaultUri();
        this.engine = engine;
        this.replication = replication;
        this.store = store;
        this.runner = runner;
        this.restorePoints = restorePoints;
        this.maxConcurrent = properties.maxConcurrent();
    }

    /** Starts a backup of {@code vm} on the default host; the job as recorded, QUEUED. */
    public Job start(String vm) throws BackupException, StoreException {
        return launch(vm).job();
    }

    /**
     * Backs up {@code vm} on the default host as {@link #start} does (a job in the catalog, the
     * restore point recorded and replicated like any other) and waits for it to end; a job that
     * did not succeed is a {@link BackupException} with its reason.
     */
    public BackupResult backupAndWait(String vm) throws BackupException, StoreException, InterruptedException {
        JobRunner.Started<BackupResult> started = launch(vm);
        try {
            return started.result().get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof BackupException b) {
                throw b;
            }
            throw new BackupException(BackupException.Kind.FAILED, "backup of " + vm + ": " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    /**
     * A failback's backup of a recovered VM (docs/runbooks.md, "Failback"): a backup job like any
     * other, through this appliance's engine, so of a VM on its libvirt host.
     */
    @Override
    public FailbackBackups.Backup backup(String uri, String vm) throws StoreException, InterruptedException {
        if (!uri.equals(defaultUri)) {
            throw new StoreException(StoreException.Kind.BAD_INPUT, "failback backs " + vm + " up through this"
                    + " appliance's libvirt host " + defaultUri + "; this appliance does not back up VMs on " + uri);
        }
        try {
            BackupResult r = backupAndWait(vm);
            return new FailbackBackups.Backup(r.restorePoint(), r.kind().name().toLowerCase(java.util.Locale.ROOT) + ", "
                    + r.bytesRead() + " bytes read, " + r.newStoredBytes() + " new bytes stored");
        } catch (BackupException e) {
            throw new StoreException(StoreException.Kind.IO, e.getMessage(), e);
        }
    }

    private JobRunner.Started<BackupResult> launch(String vm) throws BackupException, StoreException {
        BackupEngine e = engine.getIfAvailable();
        if (e == null) {
            store.get(); // throws why there is no store, hence no engine
            throw new IllegalStateException("no backup engine although the store is open");
        }
        BackupJob backup = e.start(vm);
        JobRunner.Started<BackupResult> started = runner.start(Job.Kind.BACKUP, vm, "backup of " + vm, true,
                backup.progress(), (progress, cancel) -> await(backup, cancel), result -> recorded(backup, result),
                BackupJobs::failure);
        log.info("Backup job {} of {} started (engine job {})", started.job().id(), vm, backup.id());
        started.result().thenRun(replication::afterBackup);
        return started;
    }

    /**
     * Starts a backup of {@code vm} as {@link #start} does if fewer than
     * {@code lifeboat.backup.max-concurrent} backups run on this appliance; empty if the appliance
     * is at its limit, so the caller waits for a slot.
     */
    public Optional<Job> startWithinLimit(String vm) throws BackupException, StoreException {
        synchronized (admission) {
            if (runner.running(Job.Kind.BACKUP) >= maxConcurrent) {
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
        Job job = runner.cancellable(id);
        if (job.kind() != Job.Kind.BACKUP || runner.cancel(id) == JobRunner.Cancel.NOT_RUNNING) {
            throw ApplianceException.conflict("job " + id + " is not running on this appliance; it cannot be cancelled here");
        }
        log.info("Cancel requested for backup job {} of {}", id, job.vm());
        return runner.find(id);
    }

    /** The engine's outcome; a cancel of the job (an interrupt of this thread) is passed on to the engine. */
    private static BackupResult await(BackupJob backup, Cancellation cancel) throws BackupException, InterruptedException {
        while (true) {
            try {
                return backup.await();
            } catch (InterruptedException e) {
                if (!cancel.requested()) {
                    throw e;
                }
                backup.cancel(); // the engine ends it CANCELLED, unless it is committing its restore point
            }
        }
    }

    private JobRunner.End recorded(BackupJob backup, BackupResult result) throws StoreException {
        Manifest manifest = store.get().manifest(result.restorePoint());
        restorePoints.insert(RestorePoint.committed(manifest, result.newRawBytes(), result.newStoredBytes(),
                result.elapsed(), result.checkpoint()));
        log.info("Backup of {}: {} restore point {} ({} bytes read, {} new bytes stored)", backup.vm(),
                result.kind(), result.restorePoint(), result.bytesRead(), result.newStoredBytes());
        result.warnings().forEach(w -> log.warn("Backup of {}: {}", backup.vm(), w));
        return JobRunner.End.succeeded(result.restorePoint(), new JobSummary(result.bytesRead(), result.newRawBytes(),
                result.newStoredBytes(), result.elapsed().toMillis()));
    }

    /**
     * The engine's end as it says it; an interrupt is the appliance shutting down; anything else
     * came from recording the restore point, which may exist in the store (the next catalog sync
     * or a GC finds it).
     */
    private static JobRunner.End failure(Exception e, boolean cancelRequested, boolean shuttingDown) {
        if (e instanceof BackupException b) {
            return b.kind() == BackupException.Kind.CANCELLED ? JobRunner.End.cancelled(b.getMessage())
                    : JobRunner.End.failed(b.getMessage());
        }
        if (e instanceof InterruptedException) {
            return JobRunner.End.cancelled(JobRunner.SHUT_DOWN);
        }
        return JobRunner.End.failed("cannot record the outcome: " + e.getMessage());
    }

    /** Cancels the jobs still running and waits for their rows to be final, before the engine closes. */
    @PreDestroy
    void shutdown() {
        runner.shutDown(SHUTDOWN_WAIT, Job.Kind.BACKUP);
    }
}
