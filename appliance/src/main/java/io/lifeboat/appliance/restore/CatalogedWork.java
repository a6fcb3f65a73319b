package io.lifeboat.appliance.restore;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.catalog.JobRepository;
import io.lifeboat.store.Progress;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.RestorePointId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the work of catalog jobs, each on its own thread, and keeps the job row in step: RUNNING
 * when it begins, the work's {@link Progress} copied every {@code interval} (the one progress
 * mechanism the API and CLI read), then SUCCEEDED (naming the restore point it restored), or FAILED with the error's message. Work
 * interrupted by {@link #close} ends CANCELLED.
 */
final class CatalogedWork implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CatalogedWork.class);
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(30);

    /** The job's work; its result is handed to {@link Done}. */
    @FunctionalInterface
    interface Work<T> {
        T run(Progress progress) throws StoreException, InterruptedException;
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
    private final Map<UUID, Future<?>> running = new ConcurrentHashMap<>();

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
        running.put(id, workers.submit(() -> run(id, restorePoint, what, work, done)));
    }

    boolean isRunning(UUID id) {
        return running.containsKey(id);
    }

    private <T> void run(UUID id, RestorePointId restorePoint, String what, Work<T> work, Done<T> done) {
        Progress progress = new Progress();
        ScheduledFuture<?> copier = null;
        try {
            jobs.start(id);
            copier = ticker.scheduleWithFixedDelay(() -> jobs.progress(id, progress.snapshot()),
                    interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
            T result = work.run(progress);
            copier.cancel(false);
            jobs.progress(id, progress.snapshot());
            done.succeeded(result);
            jobs.succeeded(id, restorePoint);
            log.info("Job {} ({}) succeeded", id, what);
        } catch (StoreException e) {
            end(copier, id, progress, Job.State.FAILED, e.getMessage());
            log.error("Job {} ({}) failed: {}", id, what, e.getMessage(), e);
        } catch (InterruptedException e) {
            end(copier, id, progress, Job.State.CANCELLED, "the appliance shut down");
            log.info("Job {} ({}) stopped: the appliance shuts down", id, what);
        } catch (RuntimeException e) {
            end(copier, id, progress, Job.State.FAILED, e.getMessage());
            log.error("Job {} ({}) failed", id, what, e);
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

    /** Interrupts the work still going on and waits a while for its rows to be final. */
    @Override
    public void close() {
        workers.shutdownNow();
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
