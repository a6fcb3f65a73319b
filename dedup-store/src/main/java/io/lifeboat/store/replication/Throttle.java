package io.lifeboat.store.replication;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/**
 * An upload bandwidth limit: a token bucket holding at most one second of bytes, shared by every
 * stream it wraps, so parallel or retried uploads together stay under the limit.
 */
final class Throttle {
    private final long bytesPerSecond;
    private double tokens;
    private long last = System.nanoTime();

    Throttle(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
        this.tokens = bytesPerSecond;
    }

    boolean unlimited() {
        return bytesPerSecond <= 0;
    }

    /** Blocks until {@code n} bytes may be sent. */
    void acquire(long n) throws InterruptedIOException {
        if (unlimited()) {
            return;
        }
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            tokens = Math.min(bytesPerSecond, tokens + (now - last) * bytesPerSecond / 1e9);
            last = now;
            tokens -= n;
            wait = tokens >= 0 ? 0 : (long) (-tokens * 1e9 / bytesPerSecond);
        }
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("upload interrupted");
            }
        }
    }

    InputStream wrap(InputStream in) {
        if (unlimited()) {
            return in;
        }
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                acquire(1);
                return super.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                // small reads keep the rate smooth instead of bursting whole buffers
                int n = super.read(b, off, (int) Math.min(len, Math.max(4096, bytesPerSecond / 20)));
                if (n > 0) {
                    acquire(n);
                }
                return n;
            }
        };
    }
}
