package io.lifeboat.store;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress of one long operation: a phase name and bytes done out of a total. The operation
 * updates it; whoever shows progress (CLI bar, REST API, logs) reads {@link #snapshot()}.
 */
public final class Progress {
    private volatile String phase = "starting";
    private volatile long total;
    private final AtomicLong done = new AtomicLong();

    public record Snapshot(String phase, long done, long total) {
        public double fraction() {
            return total <= 0 ? 0 : Math.min(1.0, (double) done / total);
        }
    }

    public static Progress none() {
        return new Progress();
    }

    /** Starts a phase; bytes done restart at zero. */
    public void phase(String name, long totalBytes) {
        done.set(0);
        total = totalBytes;
        phase = name;
    }

    /**
     * Starts a phase that moves no bytes of its own (a commit after the reads): bytes done and
     * total stay as the last phase left them, so a finished operation still shows what it did.
     */
    public void phase(String name) {
        phase = name;
    }

    public void add(long bytes) {
        done.addAndGet(bytes);
    }

    public Snapshot snapshot() {
        return new Snapshot(phase, done.get(), total);
    }
}
