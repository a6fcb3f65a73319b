package io.lifeboat.appliance.backup;

import io.lifeboat.store.Progress;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running backup: its progress, a way to cancel it, and its outcome. Cancelling before the
 * restore point is committed ends the job with {@link BackupException.Kind#CANCELLED} and leaves
 * nothing behind (no restore point, checkpoint, scratch file or socket); a job already committing
 * finishes normally.
 */
public final class BackupJob {
    private final String id;
    private final String vm;
    private final Instant started;
    private final Progress progress;
    private final CancelSignal cancel;
    private final CompletableFuture<BackupResult> outcome = new CompletableFuture<>();

    BackupJob(String id, String vm, Instant started, Progress progress, CancelSignal cancel) {
        this.id = id;
        this.vm = vm;
        this.started = started;
        this.progress = progress;
        this.cancel = cancel;
    }

    public String id() {
        return id;
    }

    public String vm() {
        return vm;
    }

    public Instant started() {
        return started;
    }

    /** Phase ("preparing", "backup vda", "commit", "finishing") and bytes done of the phase. */
    public Progress progress() {
        return progress;
    }

    public void cancel() {
        cancel.set();
    }

    public boolean isCancelRequested() {
        return cancel.isSet();
    }

    public boolean isDone() {
        return outcome.isDone();
    }

    /** Waits for the job; the restore point it created, or why there is none. */
    public BackupResult await() throws BackupException, InterruptedException {
        try {
            return outcome.get();
        } catch (ExecutionException e) {
            throw unwrap(e);
        }
    }

    public BackupResult await(Duration timeout) throws BackupException, InterruptedException, TimeoutException {
        try {
            return outcome.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw unwrap(e);
        }
    }

    void complete(BackupResult r) {
        outcome.complete(r);
    }

    void fail(Throwable t) {
        outcome.completeExceptionally(t);
    }

    private BackupException unwrap(ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof BackupException be) {
            return be;
        }
        if (c instanceof CancellationException) {
            return new BackupException(BackupException.Kind.CANCELLED, "backup of " + vm + " cancelled");
        }
        return new BackupException(BackupException.Kind.FAILED, "backup of " + vm + " failed: " + c, c);
    }

    @Override
    public String toString() {
        return "backup job " + id + " of " + vm + " (" + progress.snapshot().phase() + ")";
    }
}
