package io.lifeboat.appliance.jobs;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.catalog.RestorePointRepository;
import io.lifeboat.appliance.catalog.Timestamps;
import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.appliance.error.ApplianceException;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.gc.GarbageCollector;
import io.lifeboat.store.gc.GcReport;
import io.lifeboat.store.verify.VerifyReport;
import io.lifeboat.store.verify.Verifier;
import jakarta.annotation.PreDestroy;
import org.springframework.stereotype.Service;

/**
 * Verify and GC of the chunk store as catalog jobs (kinds VERIFY and GC, no VM), started by a
 * policy's schedule or through the API, their phases and bytes live in the job like a backup's.
 * A verify that finds damage ends FAILED, saying what it found. One of them runs at a time: a GC
 * deleting packs would make a verify going on see chunks missing. A verify's outcome is kept on
 * each restore point it covered (OK or FAILED, with its time), for the API to show.
 */
@Service
public class StoreJobs {

    /** A pack whose live bytes fall below this share is repacked by a GC. */
    public static final double REPACK_BELOW = 0.5;
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(30);

    private final ChunkStore store;
    private final JobRunner runner;
    private final RestorePointRepository restorePoints;
    private final AtomicBoolean busy = new AtomicBoolean();

    public StoreJobs(ChunkStore store, JobRunner runner, RestorePointRepository restorePoints) {
        this.store = store;
        this.runner = runner;
        this.restorePoints = restorePoints;
    }

    /** Starts re-reading the whole store; 409 while a verify or GC runs. */
    public JobRunner.Started<VerifyReport> verify() {
        claim();
        return started(Job.Kind.VERIFY, "verify of the store", (progress, cancel) -> verify(progress),
                r -> r.ok() ? JobRunner.End.succeeded() : JobRunner.End.failed(problems(r)));
    }

    /**
     * Runs the verifier and records its outcome on every restore point it covered: those in the
     * store before it started (one committed during the verify may sit in a pack it did not
     * re-read) and still there afterwards. FAILED for those it found a bad or missing chunk in or
     * whose manifest it could not read, OK for the others.
     */
    private VerifyReport verify(Progress progress) throws StoreException {
        Store s = store.get();
        List<RestorePointId> before = s.list();
        VerifyReport r = new Verifier(s).run(progress);
        Set<RestorePointId> after = new HashSet<>(s.list());
        List<RestorePointId> covered = before.stream().filter(after::contains).toList();
        Set<RestorePointId> failed = new HashSet<>();
        for (RestorePointId id : covered) {
            String name = id.toString();
            if (r.affectedRestorePoints().containsKey(name)
                    || r.corruptManifests().stream().anyMatch(m -> m.contains(name + ":"))) {
                failed.add(id);
            }
        }
        restorePoints.recordVerify(covered, failed, Timestamps.now());
        return r;
    }

    /**
     * Starts a GC that repacks packs whose live bytes fall below {@code repackBelow} (0 to 1); 409
     * while a verify or GC runs.
     */
    public JobRunner.Started<GcReport> gc(double repackBelow) {
        if (!(repackBelow >= 0 && repackBelow <= 1)) {
            throw ApplianceException.badRequest("repackBelow must be between 0 and 1, not " + repackBelow);
        }
        claim();
        return started(Job.Kind.GC, "GC of the store", (progress, cancel) -> new GarbageCollector(store.get())
                .run(repackBelow, false, progress), r -> JobRunner.End.succeeded());
    }

    private void claim() {
        if (!busy.compareAndSet(false, true)) {
            throw ApplianceException.conflict("a verify or GC of the store is already running; see GET /api/jobs?state=RUNNING");
        }
    }

    private <T> JobRunner.Started<T> started(Job.Kind kind, String what, JobRunner.Work<T> work, JobRunner.Finish<T> finish) {
        try {
            return runner.start(kind, null, what, false, new Progress(), work, result -> {
                busy.set(false);
                return finish.finish(result);
            }, (e, cancelRequested, shuttingDown) -> {
                busy.set(false);
                return JobRunner.CANCELLED_OR_FAILED.failed(e, cancelRequested, shuttingDown);
            });
        } catch (RuntimeException e) {
            busy.set(false);
            throw e;
        }
    }

    /** Stops the verify or GC going on, before the store closes. */
    @PreDestroy
    void shutdown() {
        runner.shutDown(SHUTDOWN_WAIT, Job.Kind.VERIFY, Job.Kind.GC);
    }

    /** What a verify checked, in one line. */
    public static String summary(VerifyReport r) {
        return r.packsChecked() + " pack(s), " + r.chunksChecked() + " chunk(s) checked";
    }

    /** What a verify that did not pass found, in one line. */
    public static String problems(VerifyReport r) {
        return summary(r) + ": " + r.badChunks().size() + " bad chunk(s), " + r.badPacks().size()
                + " bad pack(s), " + r.missingChunks() + " missing chunk(s); restore points affected: "
                + r.affectedRestorePoints().keySet();
    }
}
