import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * This machine's ceilings for the store's two CPU costs, on real data: JDK SHA-256 and zstd-jni
 * compression (and decompression), per chunk, on one core and on all cores. A backup that runs near
 * these numbers is bound by the CPU, not by its own code.
 *
 * <pre>
 * java -cp "$(cat dedup-store/target/classpath.txt)" bench/Limits.java FILE [--bytes N] [--chunk-size N] [--level N]
 * </pre>
 *
 * Reads FILE in 1 MiB slots, skips all-zero slots (the store elides them, and they would flatter
 * every number), keeps the first {@code --bytes} (default 1 GiB) in memory, then hashes and
 * compresses them in units of {@code --chunk-size} (default 256 KiB, the store's default). Each
 * measurement is preceded by an untimed warm-up over the first 128 MiB so the JIT has compiled it.
 * MiB/s counts input bytes (output bytes for decompression). Prints one {@code key=value} per line.
 */
public final class Limits {
    private static final int SLOT = 1 << 20;
    private static final long WARMUP = 128L << 20;

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: Limits FILE [--bytes N] [--chunk-size N] [--level N]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        long want = 1L << 30;
        int chunk = 256 << 10;
        int level = 1; // the store's default (StoreConfig.DEFAULT_ZSTD_LEVEL)
        for (int i = 1; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                fail("option " + args[i] + " needs a value");
            }
            long v = Long.parseLong(args[i + 1]);
            switch (args[i]) {
                case "--bytes" -> want = v;
                case "--chunk-size" -> chunk = (int) v;
                case "--level" -> level = (int) v;
                default -> fail("unknown option " + args[i]);
            }
        }
        if (chunk <= 0 || SLOT % chunk != 0) {
            fail("--chunk-size must divide 1 MiB, got " + chunk);
        }

        List<byte[]> slots = read(file, want);
        long bytes = (long) slots.size() * SLOT;
        if (slots.isEmpty()) {
            fail(file + " holds no non-zero data");
        }
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.println("file=" + file);
        System.out.println("data_bytes=" + bytes);
        System.out.println("chunk_size=" + chunk);
        System.out.println("cores=" + cores);

        Work sha = new Sha256(chunk);
        report("sha256", sha, slots, 1, bytes);
        report("sha256", sha, slots, cores, bytes);

        Compress zstd = new Compress(chunk, level, slots.size());
        report("zstd" + level, zstd, slots, 1, bytes);
        System.out.printf("zstd%d_ratio=%.3f%n", level, (double) bytes / zstd.compressedBytes());
        report("zstd" + level, zstd, slots, cores, bytes);

        Work unzstd = new Decompress(chunk, zstd.compressed);
        report("unzstd", unzstd, slots, 1, bytes);
        report("unzstd", unzstd, slots, cores, bytes);
    }

    private static void fail(String msg) {
        System.err.println("Limits: " + msg);
        System.exit(2);
    }

    private static List<byte[]> read(Path file, long want) throws IOException {
        List<byte[]> slots = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            for (long pos = 0; pos < size && (long) slots.size() * SLOT < want; pos += SLOT) {
                byte[] b = new byte[SLOT];
                ByteBuffer buf = ByteBuffer.wrap(b);
                while (buf.hasRemaining() && ch.read(buf, pos + buf.position()) > 0) {
                    // read until the slot is full or the file ends (the tail stays zero)
                }
                if (!allZero(b)) {
                    slots.add(b);
                }
            }
        }
        return slots;
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static void report(String name, Work w, List<byte[]> slots, int threads, long bytes) throws Exception {
        run(w, slots, 1, Math.min(slots.size(), (int) (WARMUP / SLOT)));
        long t0 = System.nanoTime();
        run(w, slots, threads, slots.size());
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%s_t%d_mib_s=%.1f%n", name, threads, bytes / secs / (1 << 20));
    }

    /** Runs w over slots [0, n), striped over threads, each thread with its own state. */
    private static void run(Work w, List<byte[]> slots, int threads, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                fs.add(pool.submit(() -> {
                    Object state = w.newState();
                    for (int s = first; s < n; s += threads) {
                        w.slot(state, s, slots.get(s));
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private interface Work {
        Object newState() throws Exception;

        void slot(Object state, int index, byte[] data) throws Exception;
    }

    private record Sha256(int chunk) implements Work {
        public Object newState() throws NoSuchAlgorithmException {
            return MessageDigest.getInstance("SHA-256");
        }

        public void slot(Object state, int index, byte[] data) {
            MessageDigest md = (MessageDigest) state;
            for (int off = 0; off < SLOT; off += chunk) {
                md.update(data, off, chunk);
                md.digest();
            }
        }
    }

    /** zstd-jni level-N compression; keeps the last run's output so decompression has real frames. */
    private static final class Compress implements Work {
        private final int chunk;
        private final int level;
        final byte[][][] compressed;

        Compress(int chunk, int level, int slots) {
            this.chunk = chunk;
            this.level = level;
            this.compressed = new byte[slots][][];
        }

        public Object newState() {
            return new ZstdCompressCtx().setLevel(level);
        }

        public void slot(Object state, int index, byte[] data) {
            ZstdCompressCtx ctx = (ZstdCompressCtx) state;
            byte[] dst = new byte[(int) Zstd.compressBound(chunk)];
            byte[][] out = new byte[SLOT / chunk][];
            for (int k = 0; k < out.length; k++) {
                int n = ctx.compressByteArray(dst, 0, dst.length, data, k * chunk, chunk);
                out[k] = Arrays.copyOf(dst, n);
            }
            compressed[index] = out;
        }

        long compressedBytes() {
            long sum = 0;
            for (byte[][] slot : compressed) {
                for (byte[] f : slot) {
                    sum += f.length;
                }
            }
            return sum;
        }
    }

    private record Decompress(int chunk, byte[][][] frames) implements Work {
        public Object newState() {
            return new byte[chunk];
        }

        public void slot(Object state, int index, byte[] data) {
            byte[] dst = (byte[]) state;
            ZstdDecompressCtx ctx = CTX.get();
            for (byte[] f : frames[index]) {
                int n = ctx.decompressByteArray(dst, 0, dst.length, f, 0, f.length);
                if (n != chunk) {
                    throw new IllegalStateException("decompressed " + n + " bytes, expected " + chunk);
                }
            }
        }

        private static final ThreadLocal<ZstdDecompressCtx> CTX = ThreadLocal.withInitial(ZstdDecompressCtx::new);
    }
}
