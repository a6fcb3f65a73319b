package io.lifeboat.store.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.kvm.qemu.QemuNbd;
import io.lifeboat.nbd.Extent;
import io.lifeboat.nbd.NbdClient;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.StoreFixture;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.testkit.TestImages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Patching existing raw and qcow2 images through a real qemu-nbd from a real store: bit-exact
 * results, only the changed slots written (and seen by a persistent dirty bitmap), refusals that
 * leave the image alone.
 */
@Timeout(120)
class DiskPatcherTest {
    private static final int CHUNK = 64 << 10;                 // StoreFixture.small(), and qcow2's bitmap granularity
    private static final int SLOTS = 129;
    private static final long SIZE = 128L * CHUNK + 4096;       // a short last slot
    /** The slots that differ between A and B: new data, zero to data, data to zero, a repeated chunk, the tail. */
    private static final int[] CHANGED = {5, 6, 7, 15, 30, 31, 32, 33, 50, 128};

    @TempDir
    Path dir;

    private Store store;
    private Path a;
    private Path b;
    private DiskMap mapA;
    private DiskMap mapB;

    @BeforeEach
    void backUpTwoVersions() throws Exception {
        byte[] contentA = new byte[(int) SIZE];
        for (int s = 0; s < SLOTS; s++) {
            boolean zero = s >= 10 && s < 20 || s >= 60 && s < 100;
            if (!zero) {
                fillSlot(contentA, s, s);
            }
        }
        byte[] contentB = contentA.clone();
        for (int s : new int[] {5, 6, 7, 15, 128}) {
            fillSlot(contentB, s, 1000 + s);
        }
        Arrays.fill(contentB, 30 * CHUNK, 34 * CHUNK, (byte) 0);
        System.arraycopy(contentA, 51 * CHUNK, contentB, 50 * CHUNK, CHUNK);
        a = Files.write(dir.resolve("a.raw"), contentA);
        b = Files.write(dir.resolve("b.raw"), contentB);
        store = Store.init(dir.resolve("store"), StoreFixture.small());
        mapA = StoreFixture.backup(store, "vm", a).disk("vda");
        mapB = StoreFixture.backup(store, "vm", b).disk("vda");
        assertThat(mapA.chunkSize()).isEqualTo(CHUNK);
        assertThat(mapA.slotCount()).isEqualTo(SLOTS);
    }

    @AfterEach
    void closeStore() throws Exception {
        if (store != null) {
            store.close();
        }
    }

    private static void fillSlot(byte[] disk, int slot, long seed) {
        int from = slot * CHUNK;
        byte[] data = new byte[(int) Math.min(CHUNK, SIZE - from)];
        new Random(seed).nextBytes(data);
        System.arraycopy(data, 0, disk, from, data.length);
    }

    private static long slotBytes(DiskMap map, boolean zero) {
        long n = 0;
        for (int s = 0; s < map.slotCount(); s++) {
            if (map.isZero(s) == zero) {
                n += map.grid().slotLength(s);
            }
        }
        return n;
    }

    /** An image of the disk's size that holds noise everywhere, so zero slots must be written too. */
    private Path noiseImage(String format, long size) throws Exception {
        byte[] noise = new byte[(int) size];
        new Random(99).nextBytes(noise);
        Path raw = Files.write(dir.resolve("noise-" + size + ".raw"), noise);
        return "raw".equals(format) ? raw : convert(raw, "noise-" + size + ".qcow2");
    }

    private Path convert(Path raw, String name) throws Exception {
        Path qcow2 = dir.resolve(name);
        qemu("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(), qcow2.toString());
        return qcow2;
    }

    private Path imageOf(Path raw, String format) throws Exception {
        if ("qcow2".equals(format)) {
            return convert(raw, "image.qcow2");
        }
        return Files.copy(raw, dir.resolve("image.raw"));
    }

    private void qemu(String... command) throws Exception {
        Path log = dir.resolve("qemu.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + Files.readString(log)).isZero();
    }

    /** qemu-img compare exits 0 only if both images read the same, byte for byte. */
    private void assertSameContent(Path image, String format, Path expectedRaw) throws Exception {
        qemu("qemu-img", "compare", "-f", format, "-F", "raw", image.toString(), expectedRaw.toString());
    }

    private static Object inode(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    @ParameterizedTest
    @ValueSource(strings = {"raw", "qcow2"})
    void fromNothingEverySlotIsWrittenAndTheImageEqualsTheRestorePoint(String format) throws Exception {
        Path image = noiseImage(format, SIZE);
        Object inode = inode(image);
        Path work = dir.resolve("work");
        Progress progress = new Progress();

        DiskPatcher.Result r = DiskPatcher.patch(store.chunks(), null, mapA, image, work, progress);

        assertThat(r).isEqualTo(new DiskPatcher.Result(SLOTS, slotBytes(mapA, false), slotBytes(mapA, true), 0));
        assertThat(r.bytesWritten() + r.zeroBytesWritten()).isEqualTo(SIZE);
        assertSameContent(image, format, a);
        assertThat(inode(image)).isEqualTo(inode);
        assertThat(Files.exists(work)).isFalse();
        assertThat(progress.snapshot()).isEqualTo(new Progress.Snapshot("patch vda", SIZE, SIZE));
    }

    @Test
    void fromAToBOnlyTheChangedSlotsAreWrittenAndTheBitmapSeesExactlyThem() throws Exception {
        Path image = imageOf(a, "qcow2");
        qemu("qemu-img", "bitmap", "--add", "--enable", image.toString(), "b0");
        Progress progress = new Progress();

        DiskPatcher.Result r = DiskPatcher.patch(store.chunks(), mapA, mapB, image, dir.resolve("work"), progress);

        long changedData = 5L * CHUNK + 4096;                    // slots 5, 6, 7, 15, 50 and the 4 KiB tail
        assertThat(r).isEqualTo(new DiskPatcher.Result(CHANGED.length, changedData, 4L * CHUNK, SLOTS - CHANGED.length));
        assertThat(progress.snapshot().done()).isEqualTo(changedData + 4L * CHUNK).isEqualTo(progress.snapshot().total());
        assertSameContent(image, "qcow2", b);

        String dirty = "qemu:dirty-bitmap:b0";
        QemuNbd.Served<NbdClient> served = QemuNbd.serve(image, "qcow2", dir.resolve("read"),
                new QemuNbd.Options(false, "b0"), (socket, export) -> NbdClient.connectUnix(socket, export, List.of(dirty)));
        try (QemuNbd server = served.server(); NbdClient client = served.client()) {
            assertThat(client.blockStatus(dirty, 0, SIZE).stream().filter(e -> e.has(Extent.NBD_STATE_DIRTY)).toList())
                    .containsExactly(dirtySlots(5, 8), dirtySlots(15, 16), dirtySlots(30, 34), dirtySlots(50, 51),
                            new Extent(128L * CHUNK, 4096, Extent.NBD_STATE_DIRTY));
        }
    }

    private static Extent dirtySlots(int first, int end) {
        return new Extent((long) first * CHUNK, (long) (end - first) * CHUNK, Extent.NBD_STATE_DIRTY);
    }

    @Test
    void fromAToBOnARawImage() throws Exception {
        Path image = imageOf(a, "raw");
        DiskPatcher.Result r = DiskPatcher.patch(store.chunks(), mapA, mapB, image, dir.resolve("work"), Progress.none());
        assertThat(r.slotsWritten()).isEqualTo(CHANGED.length);
        assertThat(r.slotsUnchanged()).isEqualTo(SLOTS - CHANGED.length);
        assertThat(Files.readAllBytes(image)).isEqualTo(Files.readAllBytes(b));
        // Patching again from B changes nothing and writes nothing.
        assertThat(DiskPatcher.patch(store.chunks(), mapB, mapB, image, dir.resolve("work"), Progress.none()))
                .isEqualTo(new DiskPatcher.Result(0, 0, 0, SLOTS));
        assertThat(Files.readAllBytes(image)).isEqualTo(Files.readAllBytes(b));
    }

    @ParameterizedTest
    @ValueSource(strings = {"raw", "qcow2"})
    void anImageOfAnotherSizeIsRefusedAndLeftAlone(String format) throws Exception {
        for (long size : new long[] {SIZE + 512, SIZE - CHUNK}) {
            Path image = noiseImage(format, size);
            String before = TestImages.sha256(image);
            assertThatThrownBy(() -> DiskPatcher.patch(store.chunks(), null, mapA, image, dir.resolve("work"), Progress.none()))
                    .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.BAD_INPUT))
                    .hasMessageContaining(size + " bytes").hasMessageContaining("nothing was written");
            assertThat(TestImages.sha256(image)).isEqualTo(before);
            assertThat(Files.exists(dir.resolve("work"))).isFalse();
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingIsWritten() throws Exception {
        Path image = imageOf(a, "raw");
        DiskMap otherGrid = new DiskMap("vda", SIZE, 2 * CHUNK);
        assertThatThrownBy(() -> DiskPatcher.patch(store.chunks(), otherGrid, mapB, image, dir.resolve("work"), Progress.none()))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.BAD_INPUT));
        Files.createDirectory(dir.resolve("work"));
        assertThatThrownBy(() -> DiskPatcher.patch(store.chunks(), mapA, mapB, image, dir.resolve("work"), Progress.none()))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.CONFLICT));
        assertThatThrownBy(() -> DiskPatcher.patch(store.chunks(), mapA, mapB, dir.resolve("none.raw"), dir.resolve("w2"), Progress.none()))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.BAD_INPUT));
        assertThat(Files.readAllBytes(image)).isEqualTo(Files.readAllBytes(a));
    }

    /** The store's chunks, but {@code gone} ones missing and {@code damaged} ones with a bit flipped. */
    private ChunkSource storeWith(Predicate<Digest> gone, Predicate<Digest> damaged) {
        return new ChunkSource() {
            @Override
            public byte[] read(Digest d) throws StoreException {
                byte[] c = store.chunks().read(d);
                if (damaged.test(d)) {
                    c[100] ^= 1;
                }
                return c;
            }

            @Override
            public boolean has(Digest d) throws StoreException {
                return !gone.test(d) && store.chunks().has(d);
            }
        };
    }

    @Test
    void aMissingChunkIsRefusedWithNothingWritten() throws Exception {
        Path image = imageOf(a, "raw");
        Digest gone = mapB.digest(15);
        ChunkSource lacking = storeWith(d -> d.equals(gone), d -> false);
        assertThatThrownBy(() -> DiskPatcher.patch(lacking, mapA, mapB, image, dir.resolve("work"), Progress.none()))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.NOT_FOUND))
                .hasMessageContaining(gone.hex()).hasMessageContaining("nothing was written");
        assertThat(Files.readAllBytes(image)).isEqualTo(Files.readAllBytes(a));
        assertThat(Files.exists(dir.resolve("work"))).isFalse();
    }

    @Test
    void aCorruptChunkStopsThePatchWhichResumesFromNothing() throws Exception {
        Path image = imageOf(a, "raw");
        Digest bad = mapB.digest(50);
        ChunkSource damaged = storeWith(d -> false, d -> d.equals(bad));
        assertThatThrownBy(() -> DiskPatcher.patch(damaged, mapA, mapB, image, dir.resolve("work"), Progress.none()))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.CORRUPT))
                .hasMessageContaining("chunk " + bad).hasMessageContaining("SHA-256");
        assertThat(Files.exists(dir.resolve("work"))).isFalse();
        byte[] partial = Files.readAllBytes(image);
        byte[] expectedB = Files.readAllBytes(b);
        byte[] expectedA = Files.readAllBytes(a);
        // Written in disk order up to the damaged slot, which is untouched, as is everything after it.
        assertThat(Arrays.equals(partial, 0, 50 * CHUNK, expectedB, 0, 50 * CHUNK)).isTrue();
        assertThat(Arrays.equals(partial, 50 * CHUNK, (int) SIZE, expectedA, 50 * CHUNK, (int) SIZE)).isTrue();

        DiskPatcher.patch(store.chunks(), null, mapB, image, dir.resolve("work"), Progress.none());
        assertThat(Files.readAllBytes(image)).isEqualTo(expectedB);
    }
}
