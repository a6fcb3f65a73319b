package io.lifeboat.store.replication;

import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.StoreFixture;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.pack.PackFormat;
import io.lifeboat.testkit.TestImages;
import io.lifeboat.testkit.s3.PutCounter;
import io.lifeboat.testkit.s3.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplicationTest {
    @RegisterExtension
    static final S3ProxyExtension server = new S3ProxyExtension("everything", "corrupt", "resume", "ranged", "parallel");

    @TempDir
    Path dir;

    /** Restore point → disk name → SHA-256 of the image it was taken from. */
    private final Map<RestorePointId, Map<String, String>> expected = new HashMap<>();

    private Manifest backup(Store store, String vm, Path... images) throws Exception {
        Manifest m = StoreFixture.backup(store, vm, images);
        Map<String, String> disks = new HashMap<>();
        for (int i = 0; i < images.length; i++) {
            disks.put("vd" + (char) ('a' + i), TestImages.sha256(images[i]));
        }
        expected.put(m.id(), disks);
        return m;
    }

    /** Two VMs, four restore points: a full, a changed copy of it, and a two-disk VM twice. */
    private Store sourceWithRestorePoints() throws Exception {
        Store store = Store.init(dir.resolve("src"), StoreFixture.small());
        Path web = TestImages.mixed(dir.resolve("web.img"), (3 << 20) + 4321, 50_000, 1);
        backup(store, "web01", web);
        try (RandomAccessFile f = new RandomAccessFile(web.toFile(), "rw")) {
            TestImages.write(f, 1 << 20, 300_000, TestImages.Fill.RANDOM, new Random(7));
        }
        backup(store, "web01", web);
        Path root = TestImages.mixed(dir.resolve("db-root.img"), 2 << 20, 70_000, 2);
        Path data = TestImages.mixed(dir.resolve("db-data.img"), (1 << 20) + 17, 30_000, 3);
        backup(store, "db01", root, data);
        try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
            TestImages.write(f, 5000, 100_000, TestImages.Fill.TEXT, new Random(8));
        }
        backup(store, "db01", root, data);
        return store;
    }

    private void assertRestoresBitExact(Path storeDir, RestorePointId id) throws Exception {
        try (Store store = Store.open(storeDir)) {
            Manifest m = store.manifest(id);
            for (Map.Entry<String, String> disk : expected.get(id).entrySet()) {
                Path out = dir.resolve("restored-" + id.vm() + "-" + id.timePart() + "-" + disk.getKey());
                StoreFixture.restore(store, m, disk.getKey(), out);
                assertThat(TestImages.sha256(out)).as(id + " " + disk.getKey()).isEqualTo(disk.getValue());
            }
        }
    }

    @Test
    void aFreshDirectoryThatKnowsOnlyTheBucketRestoresEveryRestorePoint() throws Exception {
        PutCounter first = new PutCounter(ServerProbe.PREFIX);
        int packs;
        try (Store src = sourceWithRestorePoints(); S3Target t = new S3Target(TestS3.settings(server, "everything"), first)) {
            packs = src.index().packs().size();
            ReplicationReport r = new Replicator(src, t).run(Progress.none());
            assertThat(r.failures()).isEmpty();
            assertThat(r.uploadedManifests()).isEqualTo(4);
            assertThat(r.uploadedPacks()).isEqualTo(packs);
            assertThat(first.puts()).isEqualTo(packs + 4 + 1); // packs, manifests, configuration

            PutCounter second = new PutCounter(ServerProbe.PREFIX);
            try (S3Target again = new S3Target(TestS3.settings(server, "everything"), second)) {
                ReplicationReport r2 = new Replicator(src, again).run(Progress.none());
                assertThat(r2.uploadedObjects()).isZero();
                assertThat(r2.skippedPacks()).isEqualTo(packs);
                assertThat(r2.skippedManifests()).isEqualTo(4);
                assertThat(second.writes()).isZero();
            }
        }

        try (S3Target t = new S3Target(TestS3.settings(server, "everything"))) {
            BucketReader reader = new BucketReader(t);
            assertThat(reader.vms()).containsExactly("db01", "web01");
            assertThat(reader.restorePoints()).containsExactlyElementsOf(expected.keySet().stream().sorted().toList());
            MirrorReport m = reader.mirrorTo(dir.resolve("dr"), Progress.none());
            assertThat(m.refused()).isEmpty();
            assertThat(m.downloadedPacks()).isEqualTo(packs);
            assertThat(m.downloadedManifests()).isEqualTo(4);
            for (RestorePointId id : reader.restorePoints()) {
                assertRestoresBitExact(dir.resolve("dr"), id);
            }
            // mirroring again fetches nothing
            MirrorReport again = reader.mirrorTo(dir.resolve("dr"), Progress.none());
            assertThat(again.downloadedPacks() + again.downloadedManifests()).isZero();
            assertThat(again.skipped()).isEqualTo(packs + 4);
        }
    }

    @Test
    void singleChunksReadByRangedGetMatchTheLocalStore() throws Exception {
        try (Store src = sourceWithRestorePoints(); S3Target t = new S3Target(TestS3.settings(server, "ranged"))) {
            assertThat(new Replicator(src, t).run(Progress.none()).ok()).isTrue();
            BucketReader reader = new BucketReader(t);
            Map<String, Long> packs = reader.packs();
            assertThat(packs).hasSize(src.index().packs().size());
            for (Map.Entry<String, Long> p : packs.entrySet()) {
                List<PackFormat.Entry> entries = reader.footer(p.getKey(), p.getValue());
                assertThat(entries).hasSize(src.index().pack(p.getKey()).orElseThrow().chunkCount());
                PackFormat.Entry e = entries.get(entries.size() / 2);
                assertThat(reader.chunk(p.getKey(), e)).isEqualTo(src.chunks().read(e.digest()));
            }
        }
    }

    @Test
    void anInterruptedReplicationResumesWithWhatIsMissing() throws Exception {
        try (Store src = sourceWithRestorePoints(); S3Target t = new S3Target(TestS3.settings(server, "resume"))) {
            assertThat(new Replicator(src, t).run(Progress.none()).ok()).isTrue();
            // as if the run had stopped before the last pack and the last manifest
            RestorePointId last = src.list().get(src.list().size() - 1);
            String pack = src.index().get(src.manifest(last).disks().get(0).digest(StoreFixture.firstDataSlot(src.manifest(last).disks().get(0))))
                    .orElseThrow().packId();
            t.delete(BucketLayout.manifestKey(last));
            t.delete(BucketLayout.packKey(pack));

            PutCounter puts = new PutCounter(ServerProbe.PREFIX);
            try (S3Target counted = new S3Target(TestS3.settings(server, "resume"), puts)) {
                ReplicationReport r = new Replicator(src, counted).run(Progress.none());
                assertThat(r.ok()).isTrue();
                assertThat(r.uploadedPacks()).isEqualTo(1);
                assertThat(r.uploadedManifests()).isEqualTo(1);
                assertThat(puts.writes()).isEqualTo(2);
            }
        }
    }

    @Test
    void aCorruptObjectInTheBucketIsDetectedAndNeverUsed() throws Exception {
        RestorePointId intact;
        RestorePointId damagedPack;
        RestorePointId damagedManifest;
        String packId;
        PackFormat.Entry entry;
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small());
             S3Target t = new S3Target(TestS3.settings(server, "corrupt"))) {
            intact = backup(src, "a", TestImages.mixed(dir.resolve("a.img"), 2 << 20, 40_000, 11)).id();
            Manifest b = backup(src, "b", TestImages.mixed(dir.resolve("b.img"), 2 << 20, 40_000, 12));
            damagedPack = b.id();
            damagedManifest = backup(src, "c", TestImages.mixed(dir.resolve("c.img"), 1 << 20, 40_000, 13)).id();
            assertThat(new Replicator(src, t).run(Progress.none()).ok()).isTrue();

            Digest d = b.disks().get(0).digest(StoreFixture.firstDataSlot(b.disks().get(0)));
            var loc = src.index().get(d).orElseThrow();
            packId = loc.packId();
            entry = new PackFormat.Entry(d, loc.offset(), loc.rawLength(), loc.storedLength(), loc.codec());
        }
        // flip one payload byte of that chunk, and one byte inside c's manifest, in S3Proxy's files
        TestImages.flipByte(server.objectFile("corrupt", BucketLayout.packKey(packId)), entry.offset() + PackFormat.FRAME_HEADER_SIZE + 3);
        TestImages.flipByte(server.objectFile("corrupt", BucketLayout.manifestKey(damagedManifest)), 40);

        try (S3Target t = new S3Target(TestS3.settings(server, "corrupt"))) {
            BucketReader reader = new BucketReader(t);
            assertThatThrownBy(() -> reader.chunk(packId, entry))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("damaged in the bucket")
                    .satisfies(e -> assertThat(((StoreException) e).kind()).isEqualTo(StoreException.Kind.CORRUPT));
            assertThatThrownBy(() -> reader.manifest(damagedManifest))
                    .isInstanceOf(StoreException.class)
                    .satisfies(e -> assertThat(((StoreException) e).kind()).isEqualTo(StoreException.Kind.CORRUPT));

            MirrorReport m = reader.mirrorTo(dir.resolve("dr"), Progress.none());
            assertThat(m.refused()).anySatisfy(s -> assertThat(s).contains("pack " + packId + " is damaged"));
            assertThat(m.refused()).anySatisfy(s -> assertThat(s).contains("restore point " + damagedPack));
            assertThat(m.refused()).anySatisfy(s -> assertThat(s).contains("restore point " + damagedManifest));
            assertThat(m.downloadedManifests()).isEqualTo(1);
        }
        try (Store dr = Store.open(dir.resolve("dr"))) {
            assertThat(dr.list()).containsExactly(intact);
            assertThat(dr.index().pack(packId)).isEmpty();
            assertThat(Files.exists(dr.packs().packFile(packId))).isFalse();
        }
        assertRestoresBitExact(dir.resolve("dr"), intact);
    }

    /**
     * Records when each upload starts and completes, and holds the first two pack uploads until
     * both are in flight at once, which only a parallel replicator achieves.
     */
    private static final class UploadOrder implements ExecutionInterceptor {
        final java.util.concurrent.CountDownLatch twoInFlight = new java.util.concurrent.CountDownLatch(2);
        final java.util.concurrent.atomic.AtomicBoolean overlapped = new java.util.concurrent.atomic.AtomicBoolean();
        final List<String> events = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

        final java.util.concurrent.atomic.AtomicInteger packsInFlight = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void beforeTransmission(Context.BeforeTransmission c, ExecutionAttributes a) {
            if (c.request() instanceof PutObjectRequest put) {
                events.add("start " + put.key());
                if (put.key().startsWith(BucketLayout.PACKS)) {
                    if (packsInFlight.incrementAndGet() >= 2) {
                        overlapped.set(true);
                    }
                    twoInFlight.countDown();
                    try {
                        twoInFlight.await(20, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }

        @Override
        public void afterExecution(Context.AfterExecution c, ExecutionAttributes a) {
            if (c.request() instanceof PutObjectRequest put) {
                events.add("done " + put.key());
                if (put.key().startsWith(BucketLayout.PACKS)) {
                    packsInFlight.decrementAndGet();
                }
            }
        }

        int index(String event) {
            return events.indexOf(event);
        }
    }

    @Test
    void parallelUploadsSendEachPackOnceAndEveryManifestAfterItsPacks() throws Exception {
        UploadOrder order = new UploadOrder();
        try (Store src = sourceWithRestorePoints(); S3Target t = new S3Target(TestS3.settings(server, "parallel"), order)) {
            // Two packs the first backup wrote, and that later restore points share, are made
            // invisible to the pack phase (as if sealed after the listing): the manifest tasks,
            // running side by side, must upload each of them once and before any manifest naming it.
            Manifest first = src.manifest(src.list().stream().filter(id -> id.vm().equals("web01")).findFirst().orElseThrow());
            List<String> late = digests(first.disks().get(0)).stream()
                    .map(d -> uncheckedLocation(src, d)).distinct().limit(2).toList();
            assertThat(late).hasSize(2);
            for (String p : late) {
                src.index().removePack(p);
            }
            int packsInIndex = src.index().packs().size();

            ReplicationReport r = new Replicator(src, t, ReplicationOptions.defaults().withConcurrency(4)).run(Progress.none());
            assertThat(r.failures()).isEmpty();
            assertThat(order.overlapped).as("two pack uploads in flight at once").isTrue();
            assertThat(r.uploadedPacks()).isEqualTo(packsInIndex + 2);
            assertThat(r.uploadedManifests()).isEqualTo(4);
            for (String p : late) {
                assertThat(order.events).filteredOn(e -> e.equals("start " + BucketLayout.packKey(p))).hasSize(1);
            }
            for (RestorePointId id : src.list()) {
                int manifestStart = order.index("start " + BucketLayout.manifestKey(id));
                assertThat(manifestStart).isNotNegative();
                for (DiskMap disk : src.manifest(id).disks()) {
                    for (Digest d : digests(disk)) {
                        int packDone = order.index("done " + BucketLayout.packKey(uncheckedLocation(src, d)));
                        assertThat(packDone).as(id + " needs a pack uploaded before it").isNotNegative().isLessThan(manifestStart);
                    }
                }
            }
        }
        try (S3Target t = new S3Target(TestS3.settings(server, "parallel"))) {
            MirrorReport m = new BucketReader(t).mirrorTo(dir.resolve("dr"), Progress.none());
            assertThat(m.refused()).isEmpty();
        }
        for (RestorePointId id : expected.keySet()) {
            assertRestoresBitExact(dir.resolve("dr"), id);
        }
    }

    static List<Digest> digests(DiskMap disk) {
        List<Digest> out = new java.util.ArrayList<>();
        for (int s = 0; s < disk.slotCount(); s++) {
            if (disk.digest(s) != null) {
                out.add(disk.digest(s));
            }
        }
        return out;
    }

    private static String uncheckedLocation(Store store, Digest d) {
        try {
            return store.index().get(d).orElseThrow().packId();
        } catch (StoreException e) {
            throw new IllegalStateException(e);
        }
    }
}
