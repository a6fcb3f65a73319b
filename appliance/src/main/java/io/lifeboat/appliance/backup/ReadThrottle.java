package io.lifeboat.appliance.backup;

import java.io.InterruptedIOException;
import java.time.Duration;

/** Keeps one job's reads at or below a rate; a cancel ends the wait at once. */
final class ReadThrottle {
    private final long bytesPerSecond;
    private final CancelSignal cancel;
    private final long start = System.nanoTime();
    private long granted;

    ReadThrottle(long bytesPerSecond, CancelSignal cancel) {
        this.bytesPerSecond = bytesPerSecond;
        this.cancel = cancel;
    }

    synchronized void acquire(long bytes) throws InterruptedIOException {
        if (bytesPerSecond <= 0) {
            return;
        }
        long dueNanos = (long) ((double) granted / bytesPerSecond * 1e9);
        long ahead = dueNanos - (System.nanoTime() - start);
        granted += bytes;
        if (ahead > 0) {
            try {
                if (cancel.awaitFor(Duration.ofNanos(ahead))) {
                    throw new InterruptedIOException("backup cancelled");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("backup interrupted");
            }
        }
    }
}
