package io.lifeboat.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A test export backed by a sparse raw file whose data ranges the test wrote and therefore knows:
 * those are reported as data, everything else as a hole that reads as zeroes.
 */
final class SparseFileExport implements NbdExport, AutoCloseable {

    static final int MiB = 1 << 20;
    static final long SIZE = 64L * MiB;
    /** start, length, fill byte: patterns either side of the 32 MiB request boundary and at the end. */
    static final long[][] PATTERNS = {
            {MiB, 64 * 1024, 0xab},
            {5L * MiB, 3L * MiB, 0xcd},
            {28L * MiB, 20L * MiB, 0x11},
            {SIZE - 4096, 4096, 0x5a},
    };

    private final String name;
    private final Path file;
    private final FileChannel channel;
    private final List<Extent> data;

    private SparseFileExport(String name, Path file, List<Extent> data) throws IOException {
        this.name = name;
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.data = data;
    }

    /** Writes {@link #PATTERNS} into a new sparse raw file with qemu-io and exports it. */
    static SparseFileExport create(Path dir, String name) throws Exception {
        Path file = dir.resolve(name + ".raw");
        QemuNbd.run(dir, "qemu-img", "create", "-q", "-f", "raw", file.toString(), String.valueOf(SIZE));
        List<String> command = new ArrayList<>(List.of("qemu-io", "-f", "raw", file.toString()));
        List<Extent> data = new ArrayList<>();
        for (long[] p : PATTERNS) {
            command.addAll(List.of("-c", "write -P 0x" + Long.toHexString(p[2]) + " " + p[0] + " " + p[1]));
            data.add(new Extent(p[0], p[1], 0));
        }
        QemuNbd.run(dir, command.toArray(String[]::new));
        return new SparseFileExport(name, file, data);
    }

    static byte[] expectedContent() {
        byte[] disk = new byte[(int) SIZE];
        for (long[] p : PATTERNS) {
            Arrays.fill(disk, (int) p[0], (int) (p[0] + p[1]), (byte) p[2]);
        }
        return disk;
    }

    Path file() {
        return file;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return "test disk " + name;
    }

    @Override
    public long size() {
        return SIZE;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        long position = offset;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, position);
            if (n < 0) {
                throw new IOException("end of " + file + " at " + position);
            }
            position += n;
        }
    }

    /** The whole export's allocation: data where a pattern was written, holes elsewhere. */
    List<Extent> allocation() {
        return allocation(0, SIZE);
    }

    @Override
    public List<Extent> allocation(long offset, long length) {
        List<Extent> result = new ArrayList<>();
        long end = offset + length;
        long position = offset;
        for (Extent d : data) {
            if (d.end() <= position) {
                continue;
            }
            if (d.offset() >= end) {
                break;
            }
            if (d.offset() > position) {
                result.add(new Extent(position, d.offset() - position, Extent.NBD_STATE_HOLE | Extent.NBD_STATE_ZERO));
                position = d.offset();
            }
            long stop = Math.min(d.end(), end);
            result.add(new Extent(position, stop - position, 0));
            position = stop;
        }
        if (position < end) {
            result.add(new Extent(position, end - position, Extent.NBD_STATE_HOLE | Extent.NBD_STATE_ZERO));
        }
        return result;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
