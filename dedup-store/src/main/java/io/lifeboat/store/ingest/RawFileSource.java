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

    /** The few libc calls the JDK does not expose. */
    interface LibC extends Library {
        int open(String path, int flags);

        long lseek(int fd, long offset, int whence);

        int close(int fd);
    }

    private static final LibC LIBC = Native.load("c", LibC.class);

    private final Path path;
    private final FileChannel channel;

    public RawFileSource(Path path) throws IOException {
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
    }

    @Override
    public long size() throws IOException {
        return channel.size();
    }

    @Override
    public List<Extent> allocated() throws IOException {
        long size = size();
        int fd = LIBC.open(path.toString(), O_RDONLY);
        if (fd < 0) {
            throw new IOException("cannot open " + path + " (errno " + Native.getLastError() + ")");
        }
        try {
            List<Extent> out = new ArrayList<>();
            long pos = 0;
            while (pos < size) {
                long data = LIBC.lseek(fd, pos, SEEK_DATA);
                if (data < 0) {
                    int errno = Native.getLastError();
                    if (errno == ENXIO) {
                        break; // no data after pos
                    }
                    return List.of(new Extent(0, size)); // SEEK_DATA unsupported: read everything
                }
                long hole = LIBC.lseek(fd, data, SEEK_HOLE);
                if (hole < 0) {
                    hole = size;
                }
                hole = Math.min(hole, size);
                out.add(new Extent(data, hole - data));
                pos = hole;
            }
            return out;
        } finally {
            LIBC.close(fd);
        }
    }

    @Override
    public void read(long offset, byte[] buf, int len) throws IOException {
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
    }
}
