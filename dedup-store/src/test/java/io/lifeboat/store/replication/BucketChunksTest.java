package io.lifeboat.store.replication;

import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.StoreFixture;
import io.lifeboat.store.TestImages;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.gc.GarbageCollector;
import io.lifeboat.store.index.ChunkLocation;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.pack.PackFormat;
import io.lifeboat.store.read.ChunkSource;
import io.lifeboat.store.read.DiskReader;
import io.lifeboat.store.read.TieredChunks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading restore points lazily from the bucket alone, through a cache bounded in bytes. */
class BucketChunksTest {
    @TempDir
    static Path shared;
    static S3ProxyServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        server = S3ProxyServer.start(shared, "lazy", "budget", "damaged", "tiered", "moving");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** SHA-256 of the whole disk as a DiskReader serves it, in reads of odd sizes that straddle chunks. */
    private static String readAll(DiskReader disk, Runnable afterEachRead) throws StoreException {
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
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small()); S3Target t = new S3Target(server.settings("lazy"))) {
            m = StoreFixture.backup(src, "web01", image);
            assertThat(new Replicator(src, t).run(Progress.none()).ok()).isTrue();
            packs = src.index().packs().size();
        }
        GetCounter gets = new GetCounter();
        Path cache = dir.resolve("cache");
        try (S3Target t = new S3Target(server.settings("lazy"), gets);
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
        try (S3Target t = new S3Target(server.settings("lazy"), gets);
             BucketChunks chunks = BucketChunks.open(new BucketReader(t), cache, 64L << 20)) {
            int before = gets.gets();
            assertThat(readAll(new DiskReader(m.disk("vda"), chunks, 2), () -> { })).isEqualTo(TestImages.sha256(image));
            assertThat(gets.gets()).isEqualTo(before);
        }
    }

    @Test
    void theIndexFollowsTheBucketNewPacksAreReadOnceAndAPrunedCopyIsFoundElsewhere() throws Exception {
        Path image = TestImages.mixed(dir.resolve("web.img"), 2 << 20, 40_000, 56);
        Manifest old;
        Manifest current;
        String repacked;
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small()); S3Target t = new S3Target(server.settings("moving"))) {
            old = StoreFixture.backup(src, "web01", image);
            assertThat(new Replicator(src, t).run(Progress.none()).ok()).isTrue();
            try (BucketChunks chunks = BucketChunks.open(new BucketReader(t), dir.resolve("cache"), 64L << 20)) {
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
            try (S3Target counted = new S3Target(server.settings("moving"), gets);
                 BucketChunks chunks = BucketChunks.open(new BucketReader(counted), dir.resolve("cache"), 64L << 20)) {
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
            try (BucketChunks chunks = BucketChunks.open(new BucketReader(t), dir.resolve("cache"), 64L << 20)) {
                assertThat(chunks.refresh().added()).isZero(); // the copy is indexed; its chunks still point at the original
            }
            t.delete(BucketLayout.packKey(repacked));
        }
        try (S3Target t = new S3Target(server.settings("moving"));
             BucketChunks chunks = BucketChunks.open(new BucketReader(t), dir.resolve("cache"), 64L << 20)) {
            assertThat(readAll(new DiskReader(current.disk("vda"), chunks, 2), () -> { })).isEqualTo(TestImages.sha256(image));
        }
    }

    @Test
    void theCacheNeverHoldsMoreThanItsBudget() throws Exception {
        Path image = TestImages.mixed(dir.resolve("big.img"), 3 << 20, 64 << 10, 52);
        Manifest m;
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small()); S3Target t = new S3Target(server.settings("budget"))) {
            m = StoreFixture.backup(src, "big", image);
            assertThat(new Replicator(src, t).run(Progress.none()).ok()).isTrue();
        }
        long budget = 300_000; // four and a half 64 KiB chunks; the disk holds far more
        long data = 64L * 1024 * ReplicationTest.digests(m.disk("vda")).stream().distinct().count();
        assertThat(data).isGreaterThan(4 * budget);
        Path cache = dir.resolve("cache");
        long[] most = {0};
        try (S3Target t = new S3Target(server.settings("budget"));
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
        try (S3Target t = new S3Target(server.settings("budget"));
             BucketChunks chunks = BucketChunks.open(new BucketReader(t), cache, 100_000)) {
            assertThat(bytesOnDisk(cache)).isLessThanOrEqualTo(100_000).isEqualTo(chunks.cachedBytes());
        }
    }

    @Test
    void aDamagedObjectInTheBucketIsReportedAndNeverCached() throws Exception {
        Manifest m;
        Digest d;
        ChunkLocation loc;
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small()); S3Target t = new S3Target(server.settings("damaged"))) {
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
        try (S3Target t = new S3Target(server.settings("damaged"), gets);
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
             S3Target t = new S3Target(server.settings("tiered"), gets)) {
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
        try (S3Target t = new S3Target(server.settings("lazy"));
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
