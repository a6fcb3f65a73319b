package io.lifeboat.store.ingest;

import com.sun.jna.Library;
import com.sun.jna.Native;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A raw disk image file. Its allocated extents come from {@code lseek(SEEK_DATA/SEEK_HOLE)}, so
 * the holes of a sparse image are never read; a file system without that support is read whole.
 */
public final class RawFileSource implements DiskSource {
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    private static final int O_RDONLY = 0;
    private static final int ENXIO = 6;
    private static final int POSIX_FADV_WILLNEED = 3;
    /** How far ahead of the reader the kernel is asked to fetch: keeps the disk's queue full. */
    private static final long READ_AHEAD = 64L << 20;

    /** The few libc calls the JDK does not expose. */
    interface LibC extends Library {
        int open(String path, int flags);

        long lseek(int fd, long offset, int whence);

        int close(int fd);

        int posix_fadvise(int fd, long offset, long len, int advice);
    }

    private static final LibC LIBC = Native.load("c", LibC.class);

    private final Path path;
    private final FileChannel channel;
    private final int adviceFd;
    private long prefetchedTo;

    public RawFileSource(Path path) throws IOException {
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        this.adviceFd = LIBC.open(path.toString(), O_RDONLY); // for lseek and fadvise; -1 just means no hints
    }

    @Override
    public long size() throws IOException {
        return channel.size();
    }

    @Override
    public List<Extent> allocated() throws IOException {
        long size = size();
        int fd = adviceFd;
        if (fd < 0) {
            return List.of(new Extent(0, size));
        }
        List<Extent> out = new ArrayList<>();
        long pos = 0;
        while (pos < size) {
            long data = LIBC.lseek(fd, pos, SEEK_DATA);
            if (data < 0) {
                if (Native.getLastError() == ENXIO) {
                    break; // no data after pos
                }
                return List.of(new Extent(0, size)); // SEEK_DATA unsupported: read everything
            }
            long hole = LIBC.lseek(fd, data, SEEK_HOLE);
            hole = hole < 0 ? size : Math.min(hole, size);
            out.add(new Extent(data, hole - data));
            pos = hole;
        }
        return out;
    }

    @Override
    public void read(long offset, byte[] buf, int len) throws IOException {
        // A single sequential reader leaves a virtual disk mostly idle between requests; asking
        // the kernel to fetch the next extents asynchronously overlaps the disk with hashing.
        if (adviceFd >= 0 && offset + len > prefetchedTo - READ_AHEAD / 2) {
            long from = Math.max(offset, prefetchedTo);
            long to = offset + READ_AHEAD;
            LIBC.posix_fadvise(adviceFd, from, to - from, POSIX_FADV_WILLNEED);
            prefetchedTo = to;
        }
        ByteBuffer b = ByteBuffer.wrap(buf, 0, len);
        long pos = offset;
        while (b.hasRemaining()) {
            int n = channel.read(b, pos);
            if (n < 0) {
                throw new IOException(path + " ended at " + pos + " while reading " + len + " bytes at " + offset);
            }
            pos += n;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
        if (adviceFd >= 0) {
            LIBC.close(adviceFd);
        }
    }
}
