package io.lifeboat.appliance.restore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.appliance.config.LifeboatProperties;
import io.lifeboat.appliance.error.ApplianceException;
import io.lifeboat.appliance.jobs.JobRunner;
import io.lifeboat.restore.RestoreException;
import io.lifeboat.restore.RestorePlan;
import io.lifeboat.restore.RestoreRequest;
import io.lifeboat.restore.RestoreResult;
import io.lifeboat.restore.RestoreSource;
import io.lifeboat.restore.VmRestore;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.read.ChunkSource;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Restores as catalog jobs (kind RESTORE). {@link #start} plans the restore first, in the
 * request: a bad request, an unknown restore point, missing chunks or a name or file in the way
 * are refused at once and nothing is written. Then the restore agent's {@link VmRestore} runs on a
 * job thread, its progress ({@code check}, {@code restore vda}, {@code convert vda},
 * {@code define}, {@code start}) copied into the job; what it made is in {@link RestoreRuns}. The
 * restore plans again when it runs, and so picks the VM's UUID and MAC addresses then: the ones
 * a dry run shows are examples; the job's result has the real UUID.
 *
 * <p>Disk files go to {@code <data-dir>/images} unless a directory or storage pool is given. Two
 * restores into the same VM name or file at once are refused (409), since both would pass the plan.
 *
 * <p>{@link #cancel} stops a restore job until it begins to move its disks into place (its point of
 * no return, see {@link io.lifeboat.restore.Cancellation}); from then on it finishes.
 */
@Service
public class RestoreJobs {

    private static final Logger log = LoggerFactory.getLogger(RestoreJobs.class);

    private final ChunkStore store;
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(30);

    private final JobRunner runner;
    private final RestoreRuns runs;
    private final Path defaultDirectory;
    private final Set<String> targetsInUse = ConcurrentHashMap.newKeySet();
    private volatile UnaryOperator<ChunkSource> chunkReads = UnaryOperator.identity();

    public RestoreJobs(ChunkStore store, JobRunner runner, RestoreRuns runs, LifeboatProperties lifeboat) {
        this.store = store;
        this.runner = runner;
        this.runs = runs;
        this.defaultDirectory = lifeboat.dataDir().resolve("images");
    }

    /** A restore job just started, and the plan it follows. */
    public record Started(Job job, RestorePlan plan) {
    }

    /** Every check of {@link #start}, writing nothing. */
    public RestorePlan plan(RestoreRequest request) throws StoreException {
        return restore().plan(withDefaults(request));
    }

    /** Plans the restore and, if it can be done, starts it as a job (QUEUED). */
    public Started start(RestoreRequest request) throws StoreException {
        RestoreRequest r = withDefaults(request);
        VmRestore restore = restore();
        RestorePlan plan = restore.plan(r);
        List<String> targets = claim(r, plan);
        Job job;
        try {
            job = runner.create(Job.Kind.RESTORE, r.restorePoint().vm());
            Map<String, String> files = new LinkedHashMap<>();
            plan.diskFiles().forEach((disk, file) -> files.put(disk, file.toString()));
            runs.insert(new RestoreRun(job.id(), r.restorePoint().toString(), r.mode().name(),
                    plan.definesVm() ? plan.name() : null, null, r.uri(), files, null, null, null, null, List.of()));
        } catch (RuntimeException e) {
            targetsInUse.removeAll(targets);
            throw e;
        }
        log.info("Restore job {}: {} as {} ({}) on {}, disks {}", job.id(), r.restorePoint(), plan.name(), r.mode(),
                r.uri(), plan.diskFiles());
        runner.submit(job, "restore of " + r.restorePoint() + " as " + plan.name(), true, new Progress(), (progress, cancel) -> {
            try {
                return restore.restore(r, progress, cancel);
            } finally {
                targetsInUse.removeAll(targets);
            }
        }, (RestoreResult result) -> {
            runs.completed(job.id(), result.uuid(), result.defined(), result.started(), result.notes());
            return JobRunner.End.succeeded(r.restorePoint());
        }, JobRunner.CANCELLED_OR_FAILED);
        return new Started(job, plan);
    }

    /** Without a directory or pool, disk files go to {@code <data-dir>/images} (created if needed). */
    private RestoreRequest withDefaults(RestoreRequest r) throws RestoreException {
        if (r.directory() != null || r.storagePool() != null) {
            return r;
        }
        try {
            Files.createDirectories(defaultDirectory);
        } catch (IOException e) {
            throw new RestoreException(StoreException.Kind.IO, "cannot create " + defaultDirectory + ": " + e.getMessage(), e);
        }
        return r.withDirectory(defaultDirectory);
    }

    private VmRestore restore() throws StoreException {
        Store s = store.get();
        return new VmRestore(new RestoreSource(s, chunkReads.apply(s.chunks())));
    }

    /**
     * Asks a running restore job to stop; it ends CANCELLED (error {@code cancelled}) having left
     * nothing behind. Unknown is 404; finished, or not running on this appliance, is 409; so is a
     * restore already moving its disks into place, which finishes.
     */
    public Job cancel(UUID id) {
        Job job = runner.cancellable(id);
        switch (runner.cancel(id)) {
            case STOPPING -> log.info("Cancel requested for restore job {} of {}", id, job.vm());
            case FINISHING -> throw ApplianceException.conflict("restore job " + id + " is already moving its disks into"
                    + " place and can no longer be cancelled; it finishes");
            case NOT_RUNNING -> {
                Job now = runner.find(id);
                throw ApplianceException.conflict(now.state().isFinal()
                        ? "job " + id + " has already ended (" + now.state() + ")"
                        : "job " + id + " is not running on this appliance; it cannot be cancelled here");
            }
        }
        return runner.find(id);
    }

    /**
     * For tests: restores started from now on read their chunks through {@code reads} applied to
     * the store's (identity to undo), so a test can hold a restore in its restore phase.
     */
    public void readChunksThrough(UnaryOperator<ChunkSource> reads) {
        chunkReads = reads;
    }

    /** Marks the plan's VM name and files as being restored into; a second restore into any of them is a 409. */
    private List<String> claim(RestoreRequest r, RestorePlan plan) throws RestoreException {
        List<String> targets = new ArrayList<>();
        if (plan.definesVm()) {
            targets.add("vm " + plan.name() + " on " + r.uri());
        }
        plan.diskFiles().values().forEach(f -> targets.add("file " + f.toAbsolutePath()));
        List<String> claimed = new ArrayList<>();
        for (String t : targets) {
            if (!targetsInUse.add(t)) {
                targetsInUse.removeAll(claimed);
                throw RestoreException.conflict("another restore into " + t + " is running");
            }
            claimed.add(t);
        }
        return claimed;
    }

    /** Cancels the restores still running and waits a while for their rows to be final. */
    @PreDestroy
    void shutdown() {
        runner.shutDown(SHUTDOWN_WAIT, Job.Kind.RESTORE);
    }
}
