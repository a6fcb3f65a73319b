package io.lifeboat.appliance.jobs;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.catalog.JobRepository;
import io.lifeboat.appliance.catalog.JobSummary;
import io.lifeboat.appliance.error.ApplianceException;
import io.lifeboat.restore.Cancellation;
import io.lifeboat.store.Progress;
import io.lifeboat.store.manifest.RestorePointId;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs the work of every catalog job (backup, replication, restore, instant recovery copy,
 * verify, GC), each on its own thread, and keeps the job row in step: RUNNING when the work begins,
 * the work's {@link Progress} copied to the catalog every {@code lifeboat.backup.progress-interval}
 * by one schedule for all running jobs (the one progress mechanism the API, CLI and console read),
 * then the end state the job's {@link Finish} says (SUCCEEDED, naming a restore point or not, or
 * FAILED with a message), or what a failure of the work means ({@link Failure}).
 *
 * <p>{@link #cancel} asks a job's work to stop through its {@link Cancellation} (which interrupts
 * the job's thread); by default the job then ends CANCELLED with error {@value #CANCELLED}, however
 * the interrupt surfaced. Work past its point of no return refuses and finishes. {@link #shutDown}
 * cancels every job of some kinds the same way at shutdown, and they end CANCELLED with
 * {@value #SHUT_DOWN}.
 */
@Component
public class JobRunner {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
    public static final String CANCELLED = "cancelled";
    public static final String SHUT_DOWN = "the appliance shut down";

    /**
     * The job's work, run on the job's thread; its result goes to the job's {@link Finish}.
     * {@code cancel} is bound to that thread: work with a point of no return passes it on to say
     * where that is.
     */
    @FunctionalInterface
    public interface Work<T> {
        T run(Progress progress, Cancellation cancel) throws Exception;
    }

    /**
     * Records what the work produced and says how the job ended. Runs on the job's thread once no
     * cancel can interrupt it any more, before the job's row is final.
     */
    @FunctionalInterface
    public interface Finish<T> {
        End finish(T result) throws Exception;
    }

    /** How a job whose work (or {@link Finish}) threw {@code e} ended. */
    @FunctionalInterface
    public interface Failure {
        End failed(Exception e, boolean cancelRequested, boolean shuttingDown);
    }

    /**
     * How a job ended: its final state, the error the user reads, the restore point it names, and
     * what a backup did.
     */
    public record End(Job.State state, String error, RestorePointId restorePoint, JobSummary summary) {

        public static End succeeded() {
            return new End(Job.State.SUCCEEDED, null, null, null);
        }

        public static End succeeded(RestorePointId restorePoint) {
            return new End(Job.State.SUCCEEDED, null, restorePoint, null);
        }

        public static End succeeded(RestorePointId restorePoint, JobSummary summary) {
            return new End(Job.State.SUCCEEDED, null, restorePoint, summary);
        }

        public static End failed(String error) {
            return new End(Job.State.FAILED, error, null, null);
        }

        public static End cancelled(String error) {
            return new End(Job.State.CANCELLED, error, null, null);
        }
    }

    /**
     * A cancel or an interrupt ends the job CANCELLED ({@value #CANCELLED}, or {@value #SHUT_DOWN}
     * at shutdown); anything else FAILED with the error's message.
     */
    public static final Failure CANCELLED_OR_FAILED = (e, cancelRequested, shuttingDown) ->
            cancelRequested || e instanceof InterruptedException
                    ? End.cancelled(shuttingDown ? SHUT_DOWN : CANCELLED)
                    : End.failed(e.getMessage());

    /** What {@link #cancel} did. */
    public enum Cancel {
        /** The work was asked to stop; its job ends shortly. */
        STOPPING,
        /** The work is past its point of no return and finishes. */
        FINISHING,
        /** No such job runs here (any more), or it is not one that can be cancelled. */
        NOT_RUNNING
    }

    /** A job started: its row as created (QUEUED) and what its work produced once the row is final. */
    public record Started<T>(Job job, CompletableFuture<T> result) {
    }

    /** A job whose work runs here; its progress is copied while {@code copying}. */
    private static final class Running {
        final Job.Kind kind;
        final boolean cancellable;
        final Cancellation cancel = new Cancellation();
        final Progress progress;
        private boolean copying;
        private String copiedPhase; // the phase of the last copy: a tick in the same phase is one UPDATE

        Running(Job.Kind kind, boolean cancellable, Progress progress) {
            this.kind = kind;
            this.cancellable = cancellable;
            this.progress = progress;
        }

        /** Held while copying, so no copy of the schedule lands after the last one. */
        synchronized void copy(UUID id, JobRepository jobs, boolean last) {
            if (copying || last) {
                copying = !last;
                try {
                    Progress.Snapshot now = progress.snapshot();
                    if (jobs.progress(id, now, !Objects.equals(now.phase(), copiedPhase))) {
                        copiedPhase = now.phase();
                    }
                } catch (RuntimeException e) {
                    log.warn("Job {}: cannot record its progress: {}", id, e.getMessage());
                }
            }
        }

        synchronized void startCopying() {
            copying = true;
        }
    }

    private final JobRepository jobs;
    private final ExecutorService workers;
    private final ScheduledExecutorService ticker;
    private final Map<UUID, Running> running = new ConcurrentHashMap<>();
    private final Set<Job.Kind> shuttingDown = ConcurrentHashMap.newKeySet();

    public JobRunner(JobRepository jobs, BackupProperties properties) {
        this.jobs = jobs;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> daemon(r, "job-" + n.incrementAndGet()));
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "job-progress"));
        long every = properties.progressInterval().toMillis();
        ticker.scheduleWithFixedDelay(this::copyProgress, every, every, TimeUnit.MILLISECONDS);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** A new job row, QUEUED, for work to be {@linkplain #submit submitted} once its other records exist. */
    public Job create(Job.Kind kind, String vm) {
        return jobs.create(kind, vm);
    }

    /** Creates the job's row and starts {@code work} for it, as {@link #submit} does. */
    public <T> Started<T> start(Job.Kind kind, String vm, String what, boolean cancellable, Progress progress,
                                Work<T> work, Finish<T> finish, Failure failure) {
        Job job = jobs.create(kind, vm);
        return new Started<>(job, submit(job, what, cancellable, progress, work, finish, failure));
    }

    /**
     * Starts {@code work} for the job {@code job} (QUEUED, or RUNNING already), describing it as
     * {@code what} in the log; {@code progress} is what the work reports and the catalog shows. Only
     * a {@code cancellable} job is stopped by {@link #cancel}; every job is stopped by {@link #shutDown}.
     * The future completes with the work's result once the row is final, or with its error.
     */
    public <T> CompletableFuture<T> submit(Job job, String what, boolean cancellable, Progress progress, Work<T> work,
                                           Finish<T> finish, Failure failure) {
        if (shuttingDown.contains(job.kind())) {
            jobs.finish(job.id(), Job.State.CANCELLED, SHUT_DOWN);
            throw new ApplianceException(ApplianceException.Kind.UNAVAILABLE, "the appliance is shutting down");
        }
        Running r = new Running(job.kind(), cancellable, progress);
        running.put(job.id(), r);
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            workers.execute(() -> run(job.id(), what, r, work, finish, failure, result));
        } catch (RuntimeException e) {
            running.remove(job.id());
            jobs.finish(job.id(), Job.State.FAILED, "could not start: " + e.getMessage());
            throw e;
        }
        return result;
    }

    /** Jobs of {@code kind} this appliance runs now. */
    public int running(Job.Kind kind) {
        return (int) running.values().stream().filter(r -> r.kind == kind).count();
    }

    public boolean isRunning(UUID id) {
        return running.containsKey(id);
    }

    /** Asks the job's work to stop, if it runs here and can be cancelled. */
    public Cancel cancel(UUID id) {
        Running r = running.get(id);
        if (r == null || !r.cancellable) {
            return Cancel.NOT_RUNNING;
        }
        return r.cancel.request() ? Cancel.STOPPING : Cancel.FINISHING;
    }

    /**
     * The job to cancel, after the checks every kind shares: unknown is 404, ended is 409.
     */
    public Job cancellable(UUID id) {
        Job job = find(id);
        if (job.state().isFinal()) {
            throw ApplianceException.conflict("job " + id + " has already ended (" + job.state() + ")");
        }
        return job;
    }

    /** The job's row as it is now. */
    public Job find(UUID id) {
        return jobs.find(id).orElseThrow(() -> ApplianceException.notFound("no job " + id));
    }

    private <T> void run(UUID id, String what, Running r, Work<T> work, Finish<T> finish, Failure failure,
                         CompletableFuture<T> result) {
        Cancellation cancel = r.cancel;
        T value = null;
        End end;
        Exception error = null;
        try {
            jobs.start(id);
            r.startCopying();
            cancel.runsOn(Thread.currentThread());
            try {
                value = work.run(r.progress, cancel);
            } finally {
                cancel.ended();
                // The catalog is written on this thread next (a pool connection is not handed to an
                // interrupted thread), and the pool's next job must not find a late interrupt.
                Thread.interrupted();
            }
            r.copy(id, jobs, true);
            end = finish.finish(value);
        } catch (Exception e) {
            error = e;
            r.copy(id, jobs, true);
            end = failure.failed(e, cancel.requested(), shuttingDown.contains(r.kind));
            Thread.interrupted();
        }
        try {
            if (end.state() == Job.State.SUCCEEDED && end.restorePoint() != null) {
                jobs.succeeded(id, end.restorePoint(), end.summary());
            } else {
                jobs.finish(id, end.state(), end.error());
            }
        } catch (RuntimeException e) {
            log.error("Job {} ({}): cannot record that it ended {}", id, what, end.state(), e);
        } finally {
            running.remove(id);
        }
        switch (end.state()) {
            case SUCCEEDED -> log.info("Job {} ({}) succeeded", id, what);
            case CANCELLED -> log.info("Job {} ({}) {}", id, what, end.error());
            default -> {
                // A store, backup or restore error says what went wrong in its message; only a bug
                // needs its stack trace in the log.
                if (error instanceof RuntimeException) {
                    log.error("Job {} ({}) failed: {}", id, what, end.error(), error);
                } else {
                    log.error("Job {} ({}) failed: {}", id, what, end.error());
                }
            }
        }
        if (error == null) {
            result.complete(value);
        } else {
            result.completeExceptionally(error);
        }
    }

    /** The one schedule: every running job's progress, copied to its row. */
    private void copyProgress() {
        running.forEach((id, r) -> r.copy(id, jobs, false));
    }

    /**
     * Cancels the jobs of {@code kinds} still running, refuses new ones, and waits up to
     * {@code wait} for their rows to be final; for the services owning those jobs to call before
     * what the work uses closes.
     */
    public void shutDown(Duration wait, Job.Kind... kinds) {
        Set<Job.Kind> of = Set.of(kinds);
        shuttingDown.addAll(of);
        running.values().stream().filter(r -> of.contains(r.kind)).forEach(r -> r.cancel.request());
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (running.values().stream().anyMatch(r -> of.contains(r.kind))) {
                if (System.nanoTime() > deadline) {
                    log.warn("{} job(s) still running after {} s at shutdown: {}", of, wait.toSeconds(),
                            running.entrySet().stream().filter(e -> of.contains(e.getValue().kind))
                                    .map(Map.Entry::getKey).toList());
                    return;
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @PreDestroy
    void close() {
        shutDown(Duration.ofSeconds(30), Job.Kind.values());
        workers.shutdownNow();
        ticker.shutdownNow();
    }
}
