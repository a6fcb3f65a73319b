package io.lifeboat.store.gc;

import io.lifeboat.store.BackupSession;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreFixture;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.verify.Verifier;
import io.lifeboat.testkit.TestImages;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class GarbageCollectorTest {
    @TempDir
    Path dir;

    private Path image(String name, long seed) throws Exception {
        return TestImages.mixed(dir.resolve(name), 3 << 20, 90_000, seed);
    }

    private static long packBytes(Store s) {
        return s.index().packs().values().stream().mapToLong(p -> p.size()).sum();
    }

    @Test
    void deletingRestorePointsAndCollectingShrinksTheStoreAndKeepsTheRest() throws Exception {
        Path a = image("a", 1);
        Path b = image("b", 2);
        Path c = image("c", 3);
        try (Store store = Store.init(dir.resolve("store"), StoreFixture.small())) {
            Manifest pa = StoreFixture.backup(store, "vm", a);
            Manifest pb = StoreFixture.backup(store, "vm", b);
            Manifest pc = StoreFixture.backup(store, "other", c);
            long before = packBytes(store);
            GcReport noop = new GarbageCollector(store).run(0.5, false, Progress.none());
            assertThat(noop.chunksRemoved()).isZero();
            assertThat(packBytes(store)).isEqualTo(before);

            store.delete(pa.id());
            store.delete(pb.id());
            GcReport dry = new GarbageCollector(store).run(0.5, true, Progress.none());
            assertThat(dry.chunksRemoved()).isPositive();
            assertThat(packBytes(store)).isEqualTo(before);

            GcReport r = new GarbageCollector(store).run(0.5, false, Progress.none());
            assertThat(r.chunksRemoved()).isEqualTo(dry.chunksRemoved());
            assertThat(r.packsDeleted() + r.packsRepacked()).isPositive();
            assertThat(packBytes(store)).isLessThan(before * 6 / 10);
            assertThat(store.list()).containsExactly(pc.id());
            assertThat(new Verifier(store).run(Progress.none()).ok()).isTrue();
            assertThat(TestImages.sha256(StoreFixture.restore(store, pc, "vda", dir.resolve("out"))))
                    .isEqualTo(TestImages.sha256(c));
        }
    }

    @Test
    void sparsePacksAreRepackedAndTheirLiveChunksStillRestore() throws Exception {
        Path a = image("a", 4);
        Path b = dir.resolve("b");
        Files.copy(a, b);
        try (RandomAccessFile f = new RandomAccessFile(b.toFile(), "rw")) {
            byte[] noise = new byte[1 << 20];
            new Random(9).nextBytes(noise);
            f.seek(1 << 20);
            f.write(noise);
        }
        try (Store store = Store.init(dir.resolve("store"), StoreFixture.small())) {
            Manifest pa = StoreFixture.backup(store, "vm", a);
            Manifest pb = StoreFixture.backup(store, "vm", b);
            store.delete(pa.id());
            GcReport r = new GarbageCollector(store).run(0.99, false, Progress.none());
            assertThat(r.packsRepacked()).isPositive();
            assertThat(new Verifier(store).run(Progress.none()).ok()).isTrue();
            assertThat(TestImages.sha256(StoreFixture.restore(store, pb, "vda", dir.resolve("out"))))
                    .isEqualTo(TestImages.sha256(b));
        }
    }

    /**
     * Frames of highly compressible chunks are smaller than their footer entries, so such a pack's
     * live bytes are below any threshold although every chunk in it is live. Copying it would make
     * the same pack (same chunks, same id) and deleting the "old" one would delete the only copy.
     */
    @Test
    void aPackWhoseChunksAreAllLiveIsLeftAloneHoweverSmallItsFrames() throws Exception {
        Path img = dir.resolve("pattern.img");
        byte[] pattern = new byte[2 << 20];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) (0x40 + i / (64 << 10)); // one distinct, very compressible chunk per 64 KiB
        }
        Files.write(img, pattern);
        try (Store store = Store.init(dir.resolve("store"), StoreFixture.small())) {
            Manifest m = StoreFixture.backup(store, "vm", img);
            Set<String> packs = Set.copyOf(store.index().packs().keySet());
            store.chunks().read(m.disks().get(0).digest(0)); // a reader with the pack open, like an NBD export

            GcReport r = new GarbageCollector(store).run(0.99, false, Progress.none());
            assertThat(r.packsRepacked()).isZero();
            assertThat(r.packsDeleted()).isZero();
            assertThat(store.index().packs().keySet()).isEqualTo(packs);
            for (String p : packs) {
                assertThat(store.packs().packFile(p)).exists();
            }
            assertThat(store.chunks().read(m.disks().get(0).digest(0))).hasSize(64 << 10);
            assertThat(new Verifier(store).run(Progress.none()).ok()).isTrue();
            assertThat(TestImages.sha256(StoreFixture.restore(store, m, "vda", dir.resolve("out"))))
                    .isEqualTo(TestImages.sha256(img));
        }
    }

    @Test
    void aBackupStartedBeforeGcKeepsTheChunksItFoundEvenIfTheirRestorePointIsDeleted() throws Exception {
        Path a = image("a", 5);
        try (Store store = Store.init(dir.resolve("store"), StoreFixture.small())) {
            Manifest old = StoreFixture.backup(store, "vm", a);
            BackupSession running = store.beginBackup("vm");
            StoreFixture.ingestAll(store, running, a);     // every chunk found in the index, none written
            assertThat(running.stats().newChunks.get()).isZero();

            store.delete(old.id());
            GcReport r = new GarbageCollector(store).run(0.5, false, Progress.none());
            assertThat(r.chunksRemoved()).isZero();          // the running backup vouches for them

            Manifest kept = running.commit(Manifest.Kind.FULL, Manifest.Consistency.OFFLINE, "", "", Map.of());
            assertThat(new Verifier(store).run(Progress.none()).ok()).isTrue();
            assertThat(TestImages.sha256(StoreFixture.restore(store, kept, "vda", dir.resolve("out"))))
                    .isEqualTo(TestImages.sha256(a));
            // once it has committed, the chunks belong to its restore point and a second GC keeps them too
            assertThat(new GarbageCollector(store).run(0.5, false, Progress.none()).chunksRemoved()).isZero();
        }
    }

    @RepeatedTest(5) // races differ from run to run
    void backupsRunningWhileGcRunsRepeatedlyStayRestorable() throws Exception {
        List<Path> images = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            images.add(image("img" + i, 10 + i % 2));   // pairs share content, so backups dedup against each other
        }
        Map<Manifest, Path> made = new ConcurrentHashMap<>();
        Path storeDir = Files.createTempDirectory(dir, "store");
        try (Store store = Store.init(storeDir, StoreFixture.small())) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<?>> backups = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int worker = w;
                backups.add(pool.submit(() -> {
                    for (int round = 0; round < 6; round++) {
                        Path img = images.get((worker + round) % images.size());
                        made.put(StoreFixture.backup(store, "vm" + worker, img), img);
                    }
                    return null;
                }));
            }
            int gcRuns = 0;
            while (!backups.stream().allMatch(Future::isDone) || gcRuns == 0) {
                // Delete all but the newest point of each VM, then collect, while backups go on.
                for (String vm : List.of("vm0", "vm1")) {
                    var ids = store.list().stream().filter(id -> id.vm().equals(vm)).toList();
                    for (int i = 0; i + 1 < ids.size(); i++) {
                        store.delete(ids.get(i));
                    }
                }
                new GarbageCollector(store).run(0.5, false, Progress.none());
                gcRuns++;
            }
            for (Future<?> f : backups) {
                f.get();
            }
            pool.shutdown();
            assertThat(gcRuns).isPositive();
            assertThat(new Verifier(store).run(Progress.none()).ok()).isTrue();
            int restored = 0;
            for (var e : made.entrySet()) {
                if (!store.manifests().exists(e.getKey().id())) {
                    continue;
                }
                Path out = Files.createTempFile(dir, "out", ".raw");
                Files.delete(out);
                assertThat(TestImages.sha256(StoreFixture.restore(store, e.getKey(), "vda", out)))
                        .isEqualTo(TestImages.sha256(e.getValue()));
                restored++;
            }
            assertThat(restored).isGreaterThanOrEqualTo(2);
        }
    }
}
