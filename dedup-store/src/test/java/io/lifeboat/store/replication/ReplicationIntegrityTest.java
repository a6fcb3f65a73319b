package io.lifeboat.store.replication;

import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreFixture;
import io.lifeboat.store.index.ChunkLocation;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.pack.PackFormat;
import io.lifeboat.testkit.TestImages;
import io.lifeboat.testkit.s3.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What replication does with damage: a pack damaged on this disk is never sent, a pack object
 * in the bucket of the wrong size is sent again, a misnamed manifest is not uploaded, and pruning
 * that cannot read a manifest fails the run instead of passing it by.
 */
class ReplicationIntegrityTest {

    @RegisterExtension
    static final S3ProxyExtension server = new S3ProxyExtension("rot", "short", "misnamed", "unreadable", "uploaded");

    @TempDir
    Path dir;

    private Manifest backup(Store store, String vm, long seed) throws Exception {
        return StoreFixture.backup(store, vm, TestImages.mixed(dir.resolve(vm + "-" + seed + ".img"), 2 << 20, 40_000, seed));
    }

    private static ChunkLocation firstChunk(Store store, Manifest m) throws Exception {
        DiskMap disk = m.disks().get(0);
        return store.index().get(disk.digest(StoreFixture.firstDataSlot(disk))).orElseThrow();
    }

    @Test
    void aPackDamagedOnThisDiskIsNotSentAndTheFailureNamesTheChunk() throws Exception {
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small()); S3Target t = new S3Target(TestS3.settings(server, "rot"))) {
            Manifest m = backup(src, "web01", 31);
            ChunkLocation loc = firstChunk(src, m);
            TestImages.flipByte(src.packs().packFile(loc.packId()), loc.offset() + PackFormat.FRAME_HEADER_SIZE + 3);

            ReplicationReport r = new Replicator(src, t).run(Progress.none());
            assertThat(r.ok()).isFalse();
            assertThat(String.join("\n", r.failures())).contains("pack " + loc.packId()).contains("offset " + loc.offset());
            assertThat(new BucketReader(t).packs()).doesNotContainKey(loc.packId());
            assertThat(new BucketReader(t).restorePoints()).as("its restore point needs the damaged pack").doesNotContain(m.id());
        }
    }

    @Test
    void aPackObjectOfTheWrongSizeIsSentAgain() throws Exception {
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small()); S3Target t = new S3Target(TestS3.settings(server, "short"))) {
            Manifest m = backup(src, "web01", 32);
            assertThat(new Replicator(src, t).run(Progress.none()).ok()).isTrue();
            String pack = firstChunk(src, m).packId();
            byte[] whole = Files.readAllBytes(src.packs().packFile(pack));
            t.put(BucketLayout.packKey(pack), Arrays.copyOf(whole, whole.length / 2));

            ReplicationReport again = new Replicator(src, t).run(Progress.none());
            assertThat(again.ok()).as(again.failures().toString()).isTrue();
            assertThat(again.uploadedPacks()).isEqualTo(1);
            assertThat(new BucketReader(t).packs()).containsEntry(pack, (long) whole.length);
            assertThat(new BucketVerifier(t).run(Progress.none()).ok()).isTrue();
        }
    }

    @Test
    void aManifestFileHoldingAnotherRestorePointIsNotUploaded() throws Exception {
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small()); S3Target t = new S3Target(TestS3.settings(server, "misnamed"))) {
            Manifest a = backup(src, "web01", 33);
            Manifest b = backup(src, "db01", 34);
            Files.copy(src.manifests().file(a.id()), src.manifests().file(b.id()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

            ReplicationReport r = new Replicator(src, t).run(Progress.none());
            assertThat(String.join("\n", r.failures())).contains("restore point " + b.id()).contains("holds restore point " + a.id());
            assertThat(new BucketReader(t).restorePoints()).containsExactly(a.id());
        }
    }

    @Test
    void pruningThatCannotReadAManifestFailsTheRun() throws Exception {
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small()); S3Target t = new S3Target(TestS3.settings(server, "unreadable"))) {
            Manifest keep = backup(src, "web01", 35);
            Manifest gone = backup(src, "db01", 36);
            ReplicationOptions prune = ReplicationOptions.defaults().withPrune(true).withGrace(Duration.ofDays(1));
            assertThat(new Replicator(src, t, prune).run(Progress.none()).ok()).isTrue();
            // db01's packs, gone locally, are candidates; its manifest, in its grace period, is read to
            // know whether it still needs them, and that manifest is damaged
            src.delete(gone.id());
            new io.lifeboat.store.gc.GarbageCollector(src).run(0.5, false, Progress.none());
            TestImages.flipByte(server.objectFile("unreadable", BucketLayout.manifestKey(gone.id())), 40);

            ReplicationReport r = new Replicator(src, t, prune).run(Progress.none());
            assertThat(r.ok()).isFalse();
            assertThat(String.join("\n", r.failures())).contains("packs not pruned");
            assertThat(r.prune().pruned()).isFalse();
        }
    }

    @Test
    void aRestorePointThisRunUploadedCountsAsThisStoresEvenIfDeletedLocallySince() throws Exception {
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small()); S3Target t = new S3Target(TestS3.settings(server, "uploaded"))) {
            Manifest m = backup(src, "web01", 37);
            assertThat(new Replicator(src, t).run(Progress.none()).ok()).isTrue();
            // as if the run's own record had not been made: the manifest is in the bucket, the store forgot it
            Files.delete(PruneState.fileFor(src.root(), t.settings()));
            src.delete(m.id());
            BucketPruner pruner = new BucketPruner(src, t, Duration.ofDays(1), java.time.Clock.systemUTC());
            assertThat(pruner.run(Progress.none()).foreignManifests()).as("uploaded, never recorded: foreign").isEqualTo(1);
            PruneReport told = pruner.run(Progress.none(), Set.of(m.id()));
            assertThat(told.foreignManifests()).isZero();
            assertThat(told.pendingManifests()).isEqualTo(1);
        }
    }
}
