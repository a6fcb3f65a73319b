package io.lifeboat.store.read;

import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.Digest;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A chunk source whose reads wait until the test {@link #release}s them: holds a restore in its
 * restore phase for as long as a test needs, with no sleeping. A read interrupted while it waits
 * fails as an interrupted read of a real store would.
 */
public final class HeldChunks implements ChunkSource {
    private final ChunkSource chunks;
    private final CountDownLatch reading = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    public HeldChunks(ChunkSource chunks) {
        this.chunks = chunks;
    }

    @Override
    public byte[] read(Digest d) throws StoreException {
        reading.countDown();
        try {
            released.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(StoreException.Kind.IO, "read of chunk " + d + " interrupted", e);
        }
        return chunks.read(d);
    }

    @Override
    public boolean has(Digest d) throws StoreException {
        return chunks.has(d);
    }

    /** Waits until a read has begun (and is held); false if none began within {@code timeout}. */
    public boolean awaitReading(Duration timeout) throws InterruptedException {
        return reading.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Lets every read, held or to come, go on. */
    public void release() {
        released.countDown();
    }
}
