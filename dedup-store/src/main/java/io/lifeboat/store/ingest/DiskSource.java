package io.lifeboat.store.ingest;

import java.io.IOException;
import java.util.List;

/**
 * Somewhere disk contents are read from: an image file, an NBD export of a running VM.
 * Reads are positional and may come from one thread at a time.
 */
public interface DiskSource extends AutoCloseable {
    long size() throws IOException;

    /** The extents that may hold data; everything else reads as zeros. Sorted, not overlapping. */
    List<Extent> allocated() throws IOException;

    /** Reads exactly {@code len} bytes at {@code offset} into {@code buf[0, len)}. */
    void read(long offset, byte[] buf, int len) throws IOException;

    @Override
    void close() throws IOException;
}
