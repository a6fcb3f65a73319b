package io.lifeboat.appliance.restore;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.catalog.JobRepository;
import io.lifeboat.restore.Cancellation;
import io.lifeboat.store.Progress;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.RestorePointId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the work of catalog jobs, each on its own thread, and keeps the job row in step: RUNNING
 * when it begins, the work's {@link Progress} copied every {@code interval} (the one progress
 * mechanism the API and CLI read), then SUCCEEDED (naming the restore point it restored), or FAILED with the error's message.
 *
 * <p>{@link #cancel} asks a job's work to stop through its {@link Cancellation} (which interrupts
 * the job's thread); the job then ends CANCELLED with error {@value #CANCELLED}, however the
 * interrupt surfaced (an interrupted read is a {@link StoreException} like any other). Work past
 * its point of no return refuses and finishes. {@link #close} cancels every job the same way, and
 * they end CANCELLED with {@value #SHUT_DOWN}.
 */
final class CatalogedWork implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CatalogedWork.class);
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(30);
    static final String CANCELLED = "cancelled";
    static final String SHUT_DOWN = "the appliance shut down";

    /**
     * The job's work; its result is handed to {@link Done}. {@code cancel} is bound to the job's
     * thread: work with a point of no return passes it on to say where that is.
     */
    @FunctionalInterface
    interface Work<T> {
        T run(Progress progress, Cancellation cancel) throws StoreException, InterruptedException;
    }

    /** What {@link #cancel} did. */
    enum Cancel {
        /** The work was asked to stop; its job ends CANCELLED shortly. */
        STOPPING,
        /** The work is past its point of no return and finishes. */
        FINISHING,
        /** No such job runs here (any more). */
        NOT_RUNNING
    }

    /** Records a successful result; runs before the job is marked SUCCEEDED. */
    @FunctionalInterface
    interface Done<T> {
        void succeeded(T result);
    }

    private final JobRepository jobs;
    private final Duration interval;
    private final ExecutorService workers;
    private final ScheduledExecutorService ticker;
    private final Map<UUID, Cancellation> running = new ConcurrentHashMap<>();
    private volatile boolean closing;

    CatalogedWork(JobRepository jobs, Duration interval, String threadName) {
        this.jobs = jobs;
        this.interval = interval;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> daemon(r, threadName + "-" + n.incrementAndGet()));
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, threadName + "-progress"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Starts {@code work} for the QUEUED job {@code id}, describing it as {@code what} in the log.
     * A job that succeeds names {@code restorePoint}, the one it restored, as its restore point.
     */
    <T> void submit(UUID id, RestorePointId restorePoint, String what, Work<T> work, Done<T> done) {
        Cancellation cancel = new Cancellation();
        running.put(id, cancel);
        workers.execute(() -> run(id, restorePoint, what, cancel, work, done));
    }

    boolean isRunning(UUID id) {
        return running.containsKey(id);
    }

    /** Asks the job's work to stop, if it runs here. */
    Cancel cancel(UUID id) {
        Cancellation cancel = running.get(id);
        if (cancel == null) {
            return Cancel.NOT_RUNNING;
        }
        return cancel.request() ? Cancel.STOPPING : Cancel.FINISHING;
    }

    private <T> void run(UUID id, RestorePointId restorePoint, String what, Cancellation cancel, Work<T> work, Done<T> done) {
        Progress progress = new Progress();
        ScheduledFuture<?> copier = null;
        try {
            jobs.start(id);
            copier = ticker.scheduleWithFixedDelay(() -> jobs.progress(id, progress.snapshot()),
                    interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
            T result;
            cancel.runsOn(Thread.currentThread());
            try {
                result = work.run(progress, cancel);
            } finally {
                cancel.ended();
                // The catalog is written on this thread next (a pool connection is not handed to an
                // interrupted thread), and the pool's next job must not find a late interrupt.
                Thread.interrupted();
            }
            copier.cancel(false);
            jobs.progress(id, progress.snapshot());
            done.succeeded(result);
            jobs.succeeded(id, restorePoint);
            log.info("Job {} ({}) succeeded", id, what);
        } catch (StoreException | InterruptedException | RuntimeException e) {
            if (cancel.requested() || e instanceof InterruptedException) {
                String why = closing ? SHUT_DOWN : CANCELLED;
                end(copier, id, progress, Job.State.CANCELLED, why);
                log.info("Job {} ({}) {}", id, what, why);
            } else {
                end(copier, id, progress, Job.State.FAILED, e.getMessage());
                log.error("Job {} ({}) failed: {}", id, what, e.getMessage(), e);
            }
        } finally {
            running.remove(id);
        }
    }

    private void end(ScheduledFuture<?> copier, UUID id, Progress progress, Job.State state, String error) {
        if (copier != null) {
            copier.cancel(false);
        }
        jobs.progress(id, progress.snapshot());
        jobs.finish(id, state, error);
    }

    /** Cancels the work still going on and waits a while for its rows to be final. */
    @Override
    public void close() {
        closing = true;
        workers.shutdown();
        running.values().forEach(Cancellation::request);
        try {
            if (!workers.awaitTermination(SHUTDOWN_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                log.warn("Jobs still running after {} s at shutdown: {}", SHUTDOWN_WAIT.toSeconds(), running.keySet());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ticker.shutdownNow();
    }
}
