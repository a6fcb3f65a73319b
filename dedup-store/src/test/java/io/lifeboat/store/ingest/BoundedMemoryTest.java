package io.lifeboat.store.ingest;

import io.lifeboat.store.Store;
import io.lifeboat.store.StoreConfig;
import io.lifeboat.store.manifest.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A 16 GiB sparse disk holding more data than the heap, backed up by a JVM limited to 256 MiB. */
class BoundedMemoryTest {
    @TempDir
    Path dir;

    @Test
    void sixteenGibSparseImageWithMoreDataThanHeapIngestsIn256m() throws Exception {
        Path image = dir.resolve("big.raw");
        long size = 16L << 30;
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(size);
            Random r = new Random(42);
            byte[] block = new byte[4 << 20];
            for (int region = 0; region < 6; region++) {      // 6 x 64 MiB = 384 MiB of data, spread out
                long base = (size / 6 * region) & ~((1L << 20) - 1); // 1 MiB aligned: on the chunk grid
                for (int i = 0; i < 16; i++) {
                    r.nextBytes(block);
                    for (int j = 0; j < block.length; j += 2) {
                        block[j] = 0;                          // half-compressible, like real disks
                    }
                    f.seek(base + (long) i * block.length);
                    f.write(block);
                }
            }
        }
        Path store = dir.resolve("store");
        assertThat(run(store, "init")).isZero();
        assertThat(run(store, "backup", "--vm", "big", image.toString())).isZero();

        try (Store s = Store.open(store)) {
            Manifest m = s.manifest(s.list().get(0));
            assertThat(m.logicalBytes()).isEqualTo(size);
            int nonZero = 0;
            for (int i = 0; i < m.disk("vda").slotCount(); i++) {
                nonZero += m.disk("vda").isZero(i) ? 0 : 1;
            }
            assertThat((long) nonZero * StoreConfig.DEFAULT_CHUNK_SIZE).isEqualTo(384L << 20);
        }
        Path out = dir.resolve("out.raw");
        assertThat(run(store, "restore", s(store), out.toString())).isZero();
        // Comparing 16 GiB byte by byte would mostly compare holes: compare the data and the holes' places.
        try (RawFileSource a = new RawFileSource(image); RawFileSource b = new RawFileSource(out)) {
            assertThat(b.size()).isEqualTo(size);
            assertThat(b.allocated()).isEqualTo(a.allocated());
            byte[] x = new byte[4 << 20];
            byte[] y = new byte[4 << 20];
            for (Extent e : a.allocated()) {
                for (long off = e.offset(); off < e.end(); off += x.length) {
                    int n = (int) Math.min(x.length, e.end() - off);
                    a.read(off, x, n);
                    b.read(off, y, n);
                    assertThat(java.util.Arrays.mismatch(x, 0, n, y, 0, n)).as("first difference at " + off).isEqualTo(-1);
                }
            }
        }
    }

    private static String s(Path store) throws Exception {
        try (Store s = Store.open(store)) {
            return s.list().get(0).toString();
        }
    }

    private static int run(Path store, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "io.lifeboat.store.cli.StoreCli", "--store", store.toString(), "--quiet"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("lifeboat-store " + String.join(" ", args) + " did not finish in 5 minutes");
        }
        return p.exitValue();
    }
}
