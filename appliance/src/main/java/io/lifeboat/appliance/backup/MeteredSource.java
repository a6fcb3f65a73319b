package io.lifeboat.appliance.backup;

import io.lifeboat.store.ingest.DiskSource;
import io.lifeboat.store.ingest.Extent;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A disk source as the engine reads it: counts the bytes actually read (the figure recorded per
 * disk and asserted against what the guest wrote), obeys the job's read limit, and stops at the
 * next read once the job is cancelled.
 */
final class MeteredSource implements DiskSource {
    private final DiskSource source;
    private final CancelSignal cancel;
    private final ReadThrottle throttle;
    private final AtomicLong bytesRead = new AtomicLong();

    MeteredSource(DiskSource source, CancelSignal cancel, ReadThrottle throttle) {
        this.source = source;
        this.cancel = cancel;
        this.throttle = throttle;
    }

    long bytesRead() {
        return bytesRead.get();
    }

    @Override
    public long size() throws IOException {
        return source.size();
    }

    @Override
    public List<Extent> allocated() throws IOException {
        return source.allocated();
    }

    @Override
    public void read(long offset, byte[] buf, int len) throws IOException {
        if (cancel.isSet()) {
            throw new InterruptedIOException("backup cancelled");
        }
        throttle.acquire(len);
        source.read(offset, buf, len);
        bytesRead.addAndGet(len);
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
