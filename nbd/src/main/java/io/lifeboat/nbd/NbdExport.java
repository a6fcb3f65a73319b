package io.lifeboat.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A read-only disk that {@link NbdServer} exports under a name: its size, its bytes and which
 * parts of it hold data. Whatever stores the disk (a restore point in the chunk store, a file)
 * implements this; the server checks every request against {@link #size()} before calling in.
 *
 * <p>Called from one thread per client connection at once, so implementations must be
 * thread-safe. An {@link IOException} (or a runtime exception) fails that one request with
 * {@code EIO}; the connection and the server go on.
 */
public interface NbdExport {

    /** The name clients ask for: UTF-8, at most 4096 bytes, no NUL. */
    String name();

    /** Shown to clients that ask for NBD_INFO_DESCRIPTION; empty for none. */
    default String description() {
        return "";
    }

    /** Size in bytes; must not change while the export is served. */
    long size();

    /**
     * Fills {@code dst} with the {@code dst.remaining()} bytes starting at {@code offset},
     * advancing its position to its limit. The range lies within the export.
     */
    void read(long offset, ByteBuffer dst) throws IOException;

    /**
     * The {@code base:allocation} status of [offset, offset+length), which lies within the
     * export: consecutive extents, the first starting at {@code offset}, with flags
     * {@link Extent#NBD_STATE_HOLE} (not allocated) and {@link Extent#NBD_STATE_ZERO} (reads as
     * zeroes), or 0 for data. May cover only a prefix of the range (the server asks again for the
     * rest); an extent reaching past the range is clipped. The default says "all data", which is
     * always correct, only not economical: clients then read holes as data.
     */
    default List<Extent> allocation(long offset, long length) throws IOException {
        return List.of(new Extent(offset, length, 0));
    }
}
