package io.lifeboat.store.read;

import io.lifeboat.store.Store;
import io.lifeboat.store.StoreConfig;
import io.lifeboat.store.StoreFixture;
import io.lifeboat.store.ingest.RawFileSource;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.testkit.Seeds;
import io.lifeboat.testkit.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class RestoreBitExactTest {
    @TempDir
    Path dir;

    static LongStream seeds() {
        return Seeds.seeds(12);
    }

    /** Random mixes of holes, zero runs, noise, repetition and text, at sizes off the chunk grid. */
    @ParameterizedTest
    @MethodSource("seeds")
    void everyShapeRestoresBitExact(long seed) throws Exception {
        Random r = new Random(seed);
        int chunk = 1 << (12 + r.nextInt(6));                   // 4 KiB .. 128 KiB
        long size = 1 + r.nextInt(6 << 20);                      // up to 6 MiB, rarely a multiple
        int region = 1 + r.nextInt(3 * chunk);                   // regions straddle slot borders
        Path image = TestImages.mixed(dir.resolve("img"), size, region, seed);
        try (Store store = Store.init(dir.resolve("store"), StoreFixture.small().withChunkSize(chunk))) {
            Manifest m = StoreFixture.backup(store, "vm", image);
            Path out = StoreFixture.restore(store, m, "vda", dir.resolve("out"));
            assertThat(Files.size(out)).isEqualTo(size);
            assertThat(TestImages.sha256(out)).isEqualTo(TestImages.sha256(image));
        }
    }

    @Test
    void zeroChunksAreNotStoredAndRestoreAsHoles() throws Exception {
        Path image = dir.resolve("img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(64L << 20);
            f.seek(10L << 20);
            f.write(new byte[8 << 20]);                       // written zeros: allocated, but zero
            f.seek(40L << 20);
            byte[] data = new byte[1 << 20];
            new Random(1).nextBytes(data);
            f.write(data);
        }
        try (Store store = Store.init(dir.resolve("store"), StoreConfig.defaults())) {
            Manifest m = StoreFixture.backup(store, "vm", image);
            long nonZero = 0;
            for (int s = 0; s < m.disk("vda").slotCount(); s++) {
                if (!m.disk("vda").isZero(s)) {
                    nonZero++;
                }
            }
            assertThat(nonZero).isEqualTo((1 << 20) / StoreConfig.DEFAULT_CHUNK_SIZE);
            assertThat(store.index().packs().values().stream().mapToLong(p -> p.size()).sum())
                    .isLessThan((1 << 20) + 64 << 10);
            Path out = StoreFixture.restore(store, m, "vda", dir.resolve("out"));
            assertThat(TestImages.sha256(out)).isEqualTo(TestImages.sha256(image));
            try (RawFileSource restored = new RawFileSource(out)) {
                long allocated = restored.allocated().stream().mapToLong(e -> e.length()).sum();
                assertThat(allocated).isLessThan(4L << 20);
            }
        }
    }

    @Test
    void repetitiveDataIsDeduplicatedAcrossDisksAndRestorePoints() throws Exception {
        Path a = dir.resolve("a");
        try (RandomAccessFile f = new RandomAccessFile(a.toFile(), "rw")) {
            byte[] block = new byte[256 << 10];
            new Random(2).nextBytes(block);
            for (int i = 0; i < 16; i++) {
                f.write(block);
            }
        }
        Path b = dir.resolve("b");
        Files.copy(a, b);
        try (Store store = Store.init(dir.resolve("store"), StoreConfig.defaults())) {
            Manifest first = StoreFixture.backup(store, "vm", a, b);
            Manifest second = StoreFixture.backup(store, "vm", a);
            assertThat(store.index().packs().values().stream().mapToLong(p -> p.size()).sum())
                    .isLessThan((256 << 10) + 4096);
            assertThat(TestImages.sha256(StoreFixture.restore(store, first, "vdb", dir.resolve("o1"))))
                    .isEqualTo(TestImages.sha256(a));
            assertThat(TestImages.sha256(StoreFixture.restore(store, second, "vda", dir.resolve("o2"))))
                    .isEqualTo(TestImages.sha256(a));
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void randomAccessReadsMatchTheImage(long seed) throws Exception {
        Random r = new Random(seed);
        long size = 1 + r.nextInt(3 << 20);
        Path image = TestImages.mixed(dir.resolve("img"), size, 1 + r.nextInt(100_000), seed);
        byte[] whole = Files.readAllBytes(image);
        try (Store store = Store.init(dir.resolve("store"), StoreFixture.small())) {
            Manifest m = StoreFixture.backup(store, "vm", image);
            DiskReader reader = new DiskReader(m.disk("vda"), store.chunks(), 4);
            for (int i = 0; i < 50; i++) {
                int off = r.nextInt((int) size);
                int len = r.nextInt((int) Math.min(size - off, 300_000) + 1);
                byte[] got = new byte[len];
                reader.read(off, got, 0, len);
                assertThat(got).isEqualTo(java.util.Arrays.copyOfRange(whole, off, off + len));
            }
        }
    }

    @Test
    void qcow2ImagesAreReadThroughQemuNbdAndDedupAgainstTheirRawTwin() throws Exception {
        // qcow2 sizes are whole 512-byte sectors; this one is still off the chunk grid
        Path raw = TestImages.mixed(dir.resolve("img.raw"), (5 << 20) + 7 * 512, 70_000, 77);
        Path qcow2 = dir.resolve("img.qcow2");
        Process convert = new ProcessBuilder("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(), qcow2.toString())
                .inheritIO().start();
        assertThat(convert.waitFor()).isZero();
        try (Store store = Store.init(dir.resolve("store"), StoreFixture.small())) {
            Manifest fromRaw = StoreFixture.backup(store, "vm", raw);
            try (io.lifeboat.store.BackupSession s = store.beginBackup("vm");
                 io.lifeboat.store.ingest.DiskSource src = io.lifeboat.store.ingest.ImageFiles.open(qcow2)) {
                var map = s.newDisk("vda", src.size());
                new io.lifeboat.store.ingest.Ingester(2, 3).ingest(s, map, src, src.allocated(), io.lifeboat.store.Progress.none());
                assertThat(s.stats().newChunks.get()).isZero();      // same content, same chunks
                Manifest fromQcow2 = s.commit(Manifest.Kind.FULL, Manifest.Consistency.OFFLINE, "", "", java.util.Map.of());
                assertThat(fromQcow2.disk("vda")).usingRecursiveComparison().isEqualTo(fromRaw.disk("vda"));
                assertThat(TestImages.sha256(StoreFixture.restore(store, fromQcow2, "vda", dir.resolve("out"))))
                        .isEqualTo(TestImages.sha256(raw));
            }
        }
    }

    @Test
    void theIndexIsRebuiltFromThePacksAlone() throws Exception {
        Path image = TestImages.mixed(dir.resolve("img"), 4 << 20, 60_000, 11);
        Manifest m;
        long chunks;
        try (Store store = Store.init(dir.resolve("store"), StoreFixture.small())) {
            m = StoreFixture.backup(store, "vm", image);
            chunks = store.index().packs().values().stream().mapToLong(p -> p.chunkCount()).sum();
        }
        try (java.util.stream.Stream<Path> s = Files.walk(dir.resolve("store/index"))) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        try (Store store = Store.open(dir.resolve("store"))) {
            assertThat(store.openWarnings()).anyMatch(w -> w.startsWith("indexed pack"));
            assertThat(store.index().packs().values().stream().mapToLong(p -> p.chunkCount()).sum()).isEqualTo(chunks);
            assertThat(new io.lifeboat.store.verify.Verifier(store).run(io.lifeboat.store.Progress.none()).ok()).isTrue();
            assertThat(TestImages.sha256(StoreFixture.restore(store, m, "vda", dir.resolve("out"))))
                    .isEqualTo(TestImages.sha256(image));
        }
    }

    @Test
    void theStoreSurvivesReopenAndRefusesASecondOpener() throws Exception {
        Path image = TestImages.mixed(dir.resolve("img"), 3 << 20, 50_000, 9);
        Manifest m;
        try (Store store = Store.init(dir.resolve("store"), StoreFixture.small())) {
            m = StoreFixture.backup(store, "vm", image);
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> Store.open(dir.resolve("store"))))
                    .hasMessageContaining("in use");
        }
        try (Store store = Store.open(dir.resolve("store"))) {
            assertThat(store.list()).containsExactly(m.id());
            assertThat(store.manifest(m.id())).isEqualTo(m);
            assertThat(TestImages.sha256(StoreFixture.restore(store, m, "vda", dir.resolve("out"))))
                    .isEqualTo(TestImages.sha256(image));
        }
    }
}
