package io.lifeboat.store.replication;

import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.StoreFixture;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.gc.GarbageCollector;
import io.lifeboat.store.index.ChunkLocation;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.pack.PackFormat;
import io.lifeboat.store.read.ChunkSource;
import io.lifeboat.store.read.DiskReader;
import io.lifeboat.store.read.TieredChunks;
import io.lifeboat.testkit.TestImages;
import io.lifeboat.testkit.s3.FaultProxy;
import io.lifeboat.testkit.s3.GetCounter;
import io.lifeboat.testkit.s3.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading restore points lazily from the bucket alone, through a cache bounded in bytes. */
class BucketChunksTest {
    @RegisterExtension
    static final S3ProxyExtension server = new S3ProxyExtension("lazy", "budget", "damaged", "tiered", "moving", "reread", "waiting", "vanishing", "evict", "shrinking");

    @TempDir
    Path dir;

    /** SHA-256 of the whole disk as a DiskReader serves it, in reads of odd sizes that straddle chunks. */
    static String readAll(DiskReader disk, Runnable afterEachRead) throws StoreException {
        MessageDigest md = Digest.newSha256();
        byte[] buf = new byte[100_003];
        for (long off = 0; off < disk.size(); off += buf.length) {
            int n = (int) Math.min(buf.length, disk.size() - off);
            disk.read(off, buf, 0, n);
            md.update(buf, 0, n);
            afterEachRead.run();
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static long bytesOnDisk(Path cache) {
        try (Stream<Path> files = Files.walk(cache.resolve("chunks"))) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aRestorePointReadFromTheBucketAloneIsBitExactAndASecondReadIssuesNoGet() throws Exception {
        Path image = TestImages.mixed(dir.resolve("web.img"), (3 << 20) + 4321, 50_000, 51);
        Manifest m;
        int packs;
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small()); S3Target t = new S3Target(TestS3.settings(server, "lazy"))) {
            m = StoreFixture.backup(src, "web01", image);
            assertThat(new Replicator(src, t).run(Progress.none()).ok()).isTrue();
            packs = src.index().packs().size();
        }
        GetCounter gets = new GetCounter();
        Path cache = dir.resolve("cache");
        try (S3Target t = new S3Target(TestS3.settings(server, "lazy"), gets);
             BucketChunks chunks = BucketChunks.open(new BucketReader(t), cache, 64L << 20)) {
            assertThat(gets.gets()).as("one ranged GET per pack footer").isEqualTo(packs);
            Manifest fromBucket = new BucketReader(t).manifest(m.id());
            DiskReader disk = new DiskReader(fromBucket.disk("vda"), chunks, 2);
            assertThat(readAll(disk, () -> { })).isEqualTo(TestImages.sha256(image));
            int afterFirst = gets.gets();
            assertThat(afterFirst - packs - 1).as("one GET per distinct chunk")
                    .isEqualTo((int) ReplicationTest.digests(m.disk("vda")).stream().distinct().count());

            DiskReader again = new DiskReader(fromBucket.disk("vda"), chunks, 2);
            assertThat(readAll(again, () -> { })).isEqualTo(TestImages.sha256(image));
            assertThat(gets.gets()).isEqualTo(afterFirst);
        }
        // reopened: the index and the cache are still there, nothing is fetched again
        try (S3Target t = new S3Target(TestS3.settings(server, "lazy"), gets);
             BucketChunks chunks = BucketChunks.open(new BucketReader(t), cache, 64L << 20)) {
            int before = gets.gets();
            assertThat(readAll(new DiskReader(m.disk("vda"), chunks, 2), () -> { })).isEqualTo(TestImages.sha256(image));
            assertThat(gets.gets()).isEqualTo(before);
        }
    }

    /** A restore point whose chunks the cache indexed in a pack that GC then copied and the bucket lost. */
    private record Pruned(Manifest current, String sha256) {
    }

    /**
     * Replicates two restore points, then deletes the older, GCs (its live chunks are copied into a
     * new pack) and deletes one original pack from the bucket, with the cache at {@code cache}
     * indexed before that deletion: its entries still point at the pack that is gone.
     */
    private Pruned repackedAndPruned(String bucketName, Path cache) throws Exception {
        Path image = TestImages.mixed(dir.resolve("web.img"), 2 << 20, 40_000, 56);
        Manifest old;
        Manifest current;
        String repacked;
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small()); S3Target t = new S3Target(TestS3.settings(server, bucketName))) {
            old = StoreFixture.backup(src, "web01", image);
            assertThat(new Replicator(src, t).run(Progress.none()).ok()).isTrue();
            try (BucketChunks chunks = BucketChunks.open(new BucketReader(t), cache, 64L << 20)) {
                assertThat(chunks.refresh().added()).isZero();
            }
            try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
                TestImages.write(f, 0, 1 << 20, TestImages.Fill.RANDOM, new java.util.Random(57));
            }
            int packsBefore = src.index().packs().size();
            current = StoreFixture.backup(src, "web01", image);
            int added = src.index().packs().size() - packsBefore;
            assertThat(new Replicator(src, t).run(Progress.none()).ok()).isTrue();

            GetCounter gets = new GetCounter();
            try (S3Target counted = new S3Target(TestS3.settings(server, bucketName), gets);
                 BucketChunks chunks = BucketChunks.open(new BucketReader(counted), cache, 64L << 20)) {
                assertThat(gets.gets()).as("only the new packs' footers").isEqualTo(added);
            }

            // the old restore point goes, GC copies the live chunks of its packs into a new pack,
            // and the old pack disappears from the bucket (as pruning would do)
            repacked = src.index().get(ReplicationTest.digests(current.disk("vda")).get(
                    ReplicationTest.digests(current.disk("vda")).size() - 1)).orElseThrow().packId();
            src.delete(old.id());
            new GarbageCollector(src).run(1.0, false, Progress.none());
            assertThat(src.index().pack(repacked)).isEmpty();
            assertThat(new Replicator(src, t).run(Progress.none()).ok()).isTrue();
            try (BucketChunks chunks = BucketChunks.open(new BucketReader(t), cache, 64L << 20)) {
                assertThat(chunks.refresh().added()).isZero(); // the copy is indexed; its chunks still point at the original
            }
            t.delete(BucketLayout.packKey(repacked));
        }
        return new Pruned(current, TestImages.sha256(image));
    }

    @Test
    void theIndexFollowsTheBucketNewPacksAreReadOnceAndAPrunedCopyIsFoundElsewhere() throws Exception {
        Pruned p = repackedAndPruned("moving", dir.resolve("cache"));
        try (S3Target t = new S3Target(TestS3.settings(server, "moving"));
             BucketChunks chunks = BucketChunks.open(new BucketReader(t), dir.resolve("cache"), 64L << 20)) {
            assertThat(readAll(new DiskReader(p.current().disk("vda"), chunks, 2), () -> { })).isEqualTo(p.sha256());
        }
    }

    @Test
    void aRefreshThatFailsWhileLookingForPrunedChunksElsewhereLosesNothing() throws Exception {
        Path cache = dir.resolve("cache");
        Pruned p = repackedAndPruned("reread", cache);
        try (FaultProxy proxy = FaultProxy.start(server.endpoint());
             S3Target t = new S3Target(TestS3.settings(server, "reread").withEndpoint(proxy.endpoint()))) {
            FaultProxy.Injection outage = proxy.outage(FaultProxy.Fault.INTERNAL_ERROR, BucketChunksTest::isFooterGet);
            assertThatThrownBy(() -> BucketChunks.open(new BucketReader(t), cache, 64L << 20))
                    .isInstanceOf(StoreException.class)
                    .satisfies(e -> assertThat(((StoreException) e).kind()).isEqualTo(StoreException.Kind.IO));
            assertThat(outage.injected()).isPositive();
            outage.stop();
            // a new instance: what survived is what is on disk
            try (BucketChunks chunks = BucketChunks.open(new BucketReader(t), cache, 64L << 20)) {
                for (Digest d : ReplicationTest.digests(p.current().disk("vda"))) {
                    assertThat(chunks.has(d)).as("chunk %s", d).isTrue();
                }
                assertThat(readAll(new DiskReader(p.current().disk("vda"), chunks, 2), () -> { })).isEqualTo(p.sha256());
            }
        }
    }

    @Test
    void anIndexedPackPrunedWhileFootersAreReadAgainIsForgotten() throws Exception {
        Path cache = dir.resolve("cache");
        Pruned p = repackedAndPruned("shrinking", cache);
        try (FaultProxy proxy = FaultProxy.start(server.endpoint());
             S3Target direct = new S3Target(TestS3.settings(server, "shrinking"));
             S3Target t = new S3Target(TestS3.settings(server, "shrinking").withEndpoint(proxy.endpoint()))) {
            FaultProxy.Hold hold = proxy.hold(BucketChunksTest::isFooterGet);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<BucketChunks> opening = pool.submit(() -> BucketChunks.open(new BucketReader(t), cache, 64L << 20));
                direct.delete(hold.awaitHeld(Duration.ofSeconds(30)).key()); // an indexed pack, read again
                hold.release();
                try (BucketChunks chunks = opening.get()) {
                    assertThat(chunks.refresh()).isEqualTo(new BucketChunks.IndexUpdate(0, 0, java.util.List.of()));
                    BucketReader reader = new BucketReader(direct);
                    java.util.Set<Digest> inBucket = new java.util.HashSet<>();
                    for (var pack : reader.packs().entrySet()) {
                        reader.footer(pack.getKey(), pack.getValue()).forEach(e -> inBucket.add(e.digest()));
                    }
                    for (Digest d : ReplicationTest.digests(p.current().disk("vda"))) {
                        assertThat(chunks.has(d)).as("chunk %s", d).isEqualTo(inBucket.contains(d));
                        if (inBucket.contains(d)) {
                            byte[] raw = chunks.read(d);
                            assertThat(Digest.of(raw, 0, raw.length)).isEqualTo(d);
                        }
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** A ranged GET of a pack's tail (a range that ends at the object's last byte): how {@link BucketReader#footer} starts. */
    private static boolean isFooterGet(FaultProxy.Request r) {
        String range = r.headers().getOrDefault("range", "");
        if (!r.method().equals("GET") || !r.isUnder(BucketLayout.PACKS) || !range.startsWith("bytes=")) {
            return false;
        }
        try {
            long end = Long.parseLong(range.substring(range.indexOf('-') + 1));
            return end + 1 == Files.size(server.objectFile(r.bucket(), r.key()));
        } catch (java.io.IOException | NumberFormatException e) {
            return false;
        }
    }

    /** Two restore points of one VM, the second with chunks the first does not have. */
    private record Grown(Manifest first, Manifest second) {
    }

    private interface Step {
        void run() throws Exception;
    }

    /** Replicates a first restore point, runs {@code between}, then replicates a second one with new chunks. */
    private Grown grow(String bucketName, Step between) throws Exception {
        Path image = TestImages.mixed(dir.resolve("db.img"), 2 << 20, 40_000, 58);
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small()); S3Target t = new S3Target(TestS3.settings(server, bucketName))) {
            Manifest first = StoreFixture.backup(src, "db01", image);
            assertThat(new Replicator(src, t).run(Progress.none()).ok()).isTrue();
            between.run();
            try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
                TestImages.write(f, 0, 1 << 20, TestImages.Fill.RANDOM, new java.util.Random(59));
            }
            Manifest second = StoreFixture.backup(src, "db01", image);
            assertThat(new Replicator(src, t).run(Progress.none()).ok()).isTrue();
            return new Grown(first, second);
        }
    }

    @Test
    void aReadDuringARefreshWaitsForItInsteadOfReportingTheChunkMissing() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (FaultProxy proxy = FaultProxy.start(server.endpoint());
             S3Target t = new S3Target(TestS3.settings(server, "waiting").withEndpoint(proxy.endpoint()))) {
            AtomicReference<BucketChunks> opened = new AtomicReference<>();
            Grown g = grow("waiting", () -> opened.set(BucketChunks.open(new BucketReader(t), dir.resolve("cache"), 64L << 20)));
            Digest added = ReplicationTest.digests(g.second().disk("vda")).get(0);
            assertThat(ReplicationTest.digests(g.first().disk("vda"))).doesNotContain(added);
            try (BucketChunks chunks = opened.get()) {
                FaultProxy.Hold hold = proxy.hold(BucketChunksTest::isFooterGet);
                Future<BucketChunks.IndexUpdate> refresh = pool.submit(chunks::refresh);
                hold.awaitHeld(Duration.ofSeconds(30));
                AtomicReference<Thread> reader = new AtomicReference<>();
                Future<byte[]> read = pool.submit(() -> {
                    reader.set(Thread.currentThread());
                    return chunks.read(added);
                });
                // the read either failed at once (the chunk is not indexed yet) or waits for the refresh
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!read.isDone() && (reader.get() == null || reader.get().getState() != Thread.State.WAITING)) {
                    assertThat(System.nanoTime()).as("the read neither ended nor waited").isLessThan(deadline);
                    Thread.sleep(2);
                }
                hold.release();
                assertThat(refresh.get().added()).isPositive();
                byte[] raw = read.get();
                assertThat(Digest.of(raw, 0, raw.length)).isEqualTo(added);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPackPrunedBetweenListingAndFooterIsSkippedAndAnEmptyPackObjectIsReportedAsDamaged() throws Exception {
        Path cache = dir.resolve("cache");
        Grown g = grow("vanishing", () -> {
            try (S3Target t = new S3Target(TestS3.settings(server, "vanishing"))) {
                BucketChunks.open(new BucketReader(t), cache, 64L << 20).close();
            }
        });
        String empty = "ab".repeat(32);
        try (FaultProxy proxy = FaultProxy.start(server.endpoint());
             S3Target direct = new S3Target(TestS3.settings(server, "vanishing"));
             S3Target t = new S3Target(TestS3.settings(server, "vanishing").withEndpoint(proxy.endpoint()))) {
            direct.put(BucketLayout.packKey(empty), new byte[0]);
            FaultProxy.Hold hold = proxy.hold(BucketChunksTest::isFooterGet);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<BucketChunks> opening = pool.submit(() -> BucketChunks.open(new BucketReader(t), cache, 64L << 20));
                String pruned = hold.awaitHeld(Duration.ofSeconds(30)).key();
                direct.delete(pruned);
                hold.release();
                try (BucketChunks chunks = opening.get()) {
                    BucketChunks.IndexUpdate again = chunks.refresh();
                    assertThat(again.added()).isZero();
                    assertThat(again.damaged()).singleElement().asString()
                            .contains("pack " + empty).contains("too short to be a pack");
                    // what the other new packs hold was indexed
                    long readable = 0;
                    for (Digest d : ReplicationTest.digests(g.second().disk("vda"))) {
                        if (chunks.has(d)) {
                            byte[] raw = chunks.read(d);
                            assertThat(Digest.of(raw, 0, raw.length)).isEqualTo(d);
                            readable++;
                        }
                    }
                    assertThat(readable).isPositive();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aCachedChunkThatCannotBeEvictedDoesNotFailTheReadNorSkewTheByteCount() throws Exception {
        Manifest m;
        java.util.List<Digest> full;
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small()); S3Target t = new S3Target(TestS3.settings(server, "evict"))) {
            m = StoreFixture.backup(src, "app01", TestImages.mixed(dir.resolve("app.img"), 1 << 20, 30_000, 60));
            assertThat(new Replicator(src, t).run(Progress.none()).ok()).isTrue();
            java.util.List<Digest> fullSize = new java.util.ArrayList<>();
            for (Digest d : ReplicationTest.digests(m.disk("vda")).stream().distinct().toList()) {
                if (src.index().get(d).orElseThrow().rawLength() == 64 << 10) {
                    fullSize.add(d);
                }
            }
            full = fullSize;
        }
        Digest a = full.get(0);
        Digest b = full.get(1);
        Path cache = dir.resolve("cache");
        long budget = 100_000; // room for one chunk only
        try (S3Target t = new S3Target(TestS3.settings(server, "evict"));
             BucketChunks chunks = BucketChunks.open(new BucketReader(t), cache, budget)) {
            chunks.read(a);
            // the cached file can no longer be deleted: a non-empty directory stands in its place
            Path file = cache.resolve("chunks").resolve(a.hex().substring(0, 2)).resolve(a.hex());
            Files.delete(file);
            Files.createDirectories(file.resolve("stuck"));

            byte[] raw = chunks.read(b);
            assertThat(Digest.of(raw, 0, raw.length)).isEqualTo(b);
            assertThat(chunks.cachedBytes()).isEqualTo(bytesOnDisk(cache)).isLessThanOrEqualTo(budget);
            raw = chunks.read(a); // cannot be cached where the directory is, and is returned anyway
            assertThat(Digest.of(raw, 0, raw.length)).isEqualTo(a);
            assertThat(chunks.cachedBytes()).isEqualTo(bytesOnDisk(cache)).isLessThanOrEqualTo(budget);
        }
    }

    @Test
    void theCacheNeverHoldsMoreThanItsBudget() throws Exception {
        Path image = TestImages.mixed(dir.resolve("big.img"), 3 << 20, 64 << 10, 52);
        Manifest m;
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small()); S3Target t = new S3Target(TestS3.settings(server, "budget"))) {
            m = StoreFixture.backup(src, "big", image);
            assertThat(new Replicator(src, t).run(Progress.none()).ok()).isTrue();
        }
        long budget = 300_000; // four and a half 64 KiB chunks; the disk holds far more
        long data = 64L * 1024 * ReplicationTest.digests(m.disk("vda")).stream().distinct().count();
        assertThat(data).isGreaterThan(4 * budget);
        Path cache = dir.resolve("cache");
        long[] most = {0};
        try (S3Target t = new S3Target(TestS3.settings(server, "budget"));
             BucketChunks chunks = BucketChunks.open(new BucketReader(t), cache, budget)) {
            String sha = readAll(new DiskReader(m.disk("vda"), chunks, 1), () -> {
                long used = bytesOnDisk(cache);
                assertThat(used).isLessThanOrEqualTo(budget);
                most[0] = Math.max(most[0], used);
            });
            assertThat(sha).isEqualTo(TestImages.sha256(image));
            assertThat(most[0]).as("the cache was used").isGreaterThan(budget / 2);
            assertThat(chunks.cachedBytes()).isEqualTo(bytesOnDisk(cache));
        }
        // a smaller budget on reopening evicts down to it
        try (S3Target t = new S3Target(TestS3.settings(server, "budget"));
             BucketChunks chunks = BucketChunks.open(new BucketReader(t), cache, 100_000)) {
            assertThat(bytesOnDisk(cache)).isLessThanOrEqualTo(100_000).isEqualTo(chunks.cachedBytes());
        }
    }

    @Test
    void aDamagedObjectInTheBucketIsReportedAndNeverCached() throws Exception {
        Manifest m;
        Digest d;
        ChunkLocation loc;
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small()); S3Target t = new S3Target(TestS3.settings(server, "damaged"))) {
            m = StoreFixture.backup(src, "db01", TestImages.mixed(dir.resolve("db.img"), 1 << 20, 30_000, 53));
            assertThat(new Replicator(src, t).run(Progress.none()).ok()).isTrue();
            d = ReplicationTest.digests(m.disk("vda")).get(0);
            loc = src.index().get(d).orElseThrow();
        }
        Path object = server.objectFile("damaged", BucketLayout.packKey(loc.packId()));
        try (RandomAccessFile f = new RandomAccessFile(object.toFile(), "rw")) {
            long at = loc.offset() + PackFormat.FRAME_HEADER_SIZE + 5;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x10);
        }
        GetCounter gets = new GetCounter();
        Path cache = dir.resolve("cache");
        try (S3Target t = new S3Target(TestS3.settings(server, "damaged"), gets);
             BucketChunks chunks = BucketChunks.open(new BucketReader(t), cache, 64L << 20)) {
            for (int attempt = 0; attempt < 2; attempt++) {
                int before = gets.gets();
                assertThatThrownBy(() -> chunks.read(d))
                        .isInstanceOf(StoreException.class)
                        .hasMessageContaining("chunk " + d)
                        .hasMessageContaining("pack " + loc.packId())
                        .hasMessageContaining("damaged in the bucket")
                        .satisfies(e -> assertThat(((StoreException) e).kind()).isEqualTo(StoreException.Kind.CORRUPT));
                assertThat(gets.gets()).as("fetched again, not served from the cache").isEqualTo(before + 1);
                assertThat(bytesOnDisk(cache)).isZero();
            }
            // the other chunks are intact and read as usual
            Digest other = ReplicationTest.digests(m.disk("vda")).stream().filter(x -> !x.equals(d)).findFirst().orElseThrow();
            assertThat(Digest.of(chunks.read(other), 0, chunks.read(other).length)).isEqualTo(other);
        }
    }

    @Test
    void theTieredSourceReadsLocalChunksWithoutAnyGetAndTheRestFromTheBucket() throws Exception {
        Path kept = TestImages.mixed(dir.resolve("kept.img"), 2 << 20, 40_000, 54);
        Path gone = TestImages.mixed(dir.resolve("gone.img"), 2 << 20, 40_000, 55);
        GetCounter gets = new GetCounter();
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small());
             S3Target t = new S3Target(TestS3.settings(server, "tiered"), gets)) {
            Manifest keptM = StoreFixture.backup(src, "kept", kept);
            Manifest goneM = StoreFixture.backup(src, "gone", gone);
            assertThat(new Replicator(src, t).run(Progress.none()).ok()).isTrue();
            src.delete(goneM.id());
            new GarbageCollector(src).run(0.5, false, Progress.none());
            assertThat(src.index().get(ReplicationTest.digests(goneM.disk("vda")).get(0))).isEmpty();

            try (BucketChunks bucket = BucketChunks.open(new BucketReader(t), dir.resolve("cache"), 64L << 20)) {
                ChunkSource tiered = new TieredChunks(src.chunks(), bucket);
                int before = gets.gets();
                assertThat(readAll(new DiskReader(keptM.disk("vda"), tiered, 2), () -> { })).isEqualTo(TestImages.sha256(kept));
                assertThat(gets.gets()).as("every chunk came from the local store").isEqualTo(before);

                assertThat(readAll(new DiskReader(goneM.disk("vda"), tiered, 2), () -> { })).isEqualTo(TestImages.sha256(gone));
                assertThat(gets.gets()).as("what the local store lacks came from the bucket").isGreaterThan(before);
            }
        }
    }

    @Test
    void aChunkInNoPackIsNotFound() throws Exception {
        try (S3Target t = new S3Target(TestS3.settings(server, "lazy"));
             BucketChunks chunks = BucketChunks.open(new BucketReader(t), dir.resolve("cache"), 1 << 20)) {
            Digest nowhere = Digest.of(new byte[]{1, 2, 3}, 0, 3);
            assertThatThrownBy(() -> chunks.read(nowhere))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("not in any pack in the bucket")
                    .satisfies(e -> assertThat(((StoreException) e).kind()).isEqualTo(StoreException.Kind.NOT_FOUND));
        }
        assertThatThrownBy(() -> BucketChunks.open(null, dir.resolve("c2"), -1))
                .isInstanceOf(StoreException.class).hasMessageContaining("must not be negative");
    }

}
