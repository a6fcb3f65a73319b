package io.lifeboat.store.replication;

import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreFixture;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.cli.CliRunner;
import io.lifeboat.store.cli.CliRunner.Result;
import io.lifeboat.cli.ExitCode;
import io.lifeboat.store.gc.GarbageCollector;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.testkit.TestClock;
import io.lifeboat.testkit.TestImages;
import io.lifeboat.testkit.s3.S3ProxyExtension;
import io.lifeboat.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Pruning the bucket: grace periods, what must stay, and who may prune at all. */
class BucketPruneTest {
    private static final Duration GRACE = Duration.ofHours(24);

    @RegisterExtension
    static final S3ProxyExtension server = new S3ProxyExtension("grace", "owned", "comeback", "cli");

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock(Instant.parse("2026-11-27T08:00:00Z"));
    /** Restore point → disk name → SHA-256 of the image it was taken from. */
    private final Map<RestorePointId, Map<String, String>> expected = new HashMap<>();

    private Manifest backup(Store store, String vm, Path image) throws Exception {
        Manifest m = StoreFixture.backup(store, vm, image);
        expected.put(m.id(), Map.of("vda", TestImages.sha256(image)));
        return m;
    }

    private ReplicationReport replicate(Store store, S3Target t, boolean prune) throws Exception {
        return new Replicator(store, t, ReplicationOptions.defaults().withPrune(prune).withGrace(GRACE).withClock(clock))
                .run(Progress.none());
    }

    private static Set<String> packsIn(S3Target t) throws Exception {
        return new BucketReader(t).packs().keySet();
    }

    @Test
    void deletionsReachTheBucketAfterTheGracePeriodAndWhatRemainsStillRestores() throws Exception {
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small()); S3Target t = new S3Target(TestS3.settings(server, "grace"))) {
            Path web = TestImages.mixed(dir.resolve("web.img"), 3 << 20, 50_000, 21);
            Manifest webOld = backup(src, "web01", web);
            try (RandomAccessFile f = new RandomAccessFile(web.toFile(), "rw")) {
                TestImages.write(f, 0, 2 << 20, TestImages.Fill.RANDOM, new Random(22));
            }
            Manifest webNew = backup(src, "web01", web);
            Manifest db = backup(src, "db01", TestImages.mixed(dir.resolve("db.img"), 2 << 20, 40_000, 23));
            ReplicationReport first = replicate(src, t, true);
            assertThat(first.failures()).isEmpty();
            assertThat(first.prune().deletedManifests() + first.prune().deletedPacks() + first.prune().pendingPacks()).isZero();
            Set<String> before = packsIn(t);

            // a pack holding a chunk both web01 restore points name: it must outlive the older one
            Digest sharedChunk = ReplicationTest.digests(webOld.disks().get(0)).stream()
                    .filter(d -> ReplicationTest.digests(webNew.disks().get(0)).contains(d)).findFirst().orElseThrow();

            src.delete(webOld.id());
            src.delete(db.id());
            new GarbageCollector(src).run(0.5, false, Progress.none());
            String sharedPack = src.index().get(sharedChunk).orElseThrow().packId();
            assertThat(before).as("GC deleted or repacked some packs").isNotEqualTo(src.index().packs().keySet());

            clock.advance(Duration.ofHours(1));
            ReplicationReport soon = replicate(src, t, true);
            assertThat(soon.failures()).isEmpty();
            assertThat(soon.prune().pruned()).isTrue();
            assertThat(soon.prune().deletedManifests()).isZero();
            assertThat(soon.prune().pendingManifests()).isEqualTo(2);
            assertThat(soon.prune().deletedPacks()).isZero();
            assertThat(soon.prune().pendingPacks()).as("the pending restore points still need their packs").isZero();
            assertThat(new BucketReader(t).restorePoints()).containsExactlyInAnyOrder(webOld.id(), webNew.id(), db.id());
            assertThat(packsIn(t)).containsAll(before);

            clock.advance(GRACE);
            ReplicationReport manifestsGo = replicate(src, t, true);
            assertThat(manifestsGo.failures()).isEmpty();
            assertThat(manifestsGo.prune().deletedManifests()).isEqualTo(2);
            assertThat(manifestsGo.prune().deletedPacks()).isZero();
            int unreferenced = manifestsGo.prune().pendingPacks();
            assertThat(unreferenced).isPositive();
            assertThat(new BucketReader(t).restorePoints()).containsExactly(webNew.id());

            clock.advance(GRACE.minusMinutes(1));
            assertThat(replicate(src, t, true).prune().deletedPacks()).as("a minute before the packs' grace ends").isZero();
            clock.advance(Duration.ofMinutes(1));
            ReplicationReport packsGo = replicate(src, t, true);
            assertThat(packsGo.failures()).isEmpty();
            assertThat(packsGo.prune().deletedPacks()).isEqualTo(unreferenced);
            assertThat(packsGo.prune().deletedBytes()).isPositive();
            assertThat(packsGo.prune().pendingPacks()).isZero();
            assertThat(packsIn(t)).containsExactlyInAnyOrderElementsOf(src.index().packs().keySet()).contains(sharedPack);
        }

        try (S3Target t = new S3Target(TestS3.settings(server, "grace"))) {
            MirrorReport m = new BucketReader(t).mirrorTo(dir.resolve("dr"), Progress.none());
            assertThat(m.refused()).isEmpty();
        }
        try (Store dr = Store.open(dir.resolve("dr"))) {
            assertThat(dr.list()).hasSize(1);
            for (RestorePointId id : dr.list()) {
                Path out = StoreFixture.restore(dr, dr.manifest(id), "vda", dir.resolve("restored.img"));
                assertThat(TestImages.sha256(out)).isEqualTo(expected.get(id).get("vda"));
            }
        }
    }

    @Test
    void onlyTheStoreThatCreatedTheBucketPrunesItAndOnlyWhatItReplicated() throws Exception {
        String ownerId;
        RestorePointId ownersOld;
        try (Store owner = Store.init(dir.resolve("owner"), StoreFixture.small());
             S3Target t = new S3Target(TestS3.settings(server, "owned"))) {
            ownerId = owner.config().id();
            ownersOld = backup(owner, "web01", TestImages.mixed(dir.resolve("o1.img"), 1 << 20, 30_000, 31)).id();
            backup(owner, "web01", TestImages.mixed(dir.resolve("o2.img"), 1 << 20, 30_000, 32));
            assertThat(replicate(owner, t, false).ok()).isTrue();
        }

        RestorePointId othersOwn;
        try (Store other = Store.init(dir.resolve("other"), StoreFixture.small());
             S3Target t = new S3Target(TestS3.settings(server, "owned"))) {
            othersOwn = backup(other, "app01", TestImages.mixed(dir.resolve("a1.img"), 1 << 20, 30_000, 33)).id();
            assertThat(replicate(other, t, false).ok()).isTrue();
            Set<String> packs = packsIn(t);

            // it deletes its own restore point and prunes with no grace at all: refused, nothing deleted
            other.delete(othersOwn);
            new GarbageCollector(other).run(0.5, false, Progress.none());
            ReplicationReport r = new Replicator(other, t, ReplicationOptions.defaults().withPrune(true)
                    .withGrace(Duration.ZERO)).run(Progress.none());
            assertThat(r.ok()).as("not owning the bucket is not a failure of the run").isTrue();
            assertThat(r.prune().pruned()).isFalse();
            assertThat(r.prune().note()).contains("belongs to store " + ownerId).contains("nothing was deleted");
            assertThat(new BucketReader(t).restorePoints()).hasSize(3);
            assertThat(packsIn(t)).isEqualTo(packs);
        }
        try (Store empty = Store.init(dir.resolve("empty"), StoreFixture.small());
             S3Target t = new S3Target(TestS3.settings(server, "owned"))) {
            ReplicationReport r = new Replicator(empty, t, ReplicationOptions.defaults().withPrune(true)
                    .withGrace(Duration.ZERO)).run(Progress.none());
            assertThat(r.prune().pruned()).isFalse();
            assertThat(new BucketReader(t).restorePoints()).hasSize(3);
        }

        // the owner prunes its own deleted restore point, and leaves the other store's alone
        try (Store owner = Store.open(dir.resolve("owner")); S3Target t = new S3Target(TestS3.settings(server, "owned"))) {
            owner.delete(ownersOld);
            new GarbageCollector(owner).run(0.5, false, Progress.none());
            ReplicationOptions now = ReplicationOptions.defaults().withPrune(true).withGrace(Duration.ZERO);
            ReplicationReport r = new Replicator(owner, t, now).run(Progress.none());
            assertThat(r.failures()).isEmpty();
            assertThat(r.prune().deletedManifests()).isEqualTo(1);
            assertThat(r.prune().foreignManifests()).isEqualTo(1);
            assertThat(new BucketReader(t).restorePoints()).contains(othersOwn).doesNotContain(ownersOld);
        }
        try (S3Target t = new S3Target(TestS3.settings(server, "owned"))) {
            MirrorReport m = new BucketReader(t).mirrorTo(dir.resolve("dr"), Progress.none());
            assertThat(m.refused()).as("the other store's restore point kept every pack it needs").isEmpty();
        }
        try (Store dr = Store.open(dir.resolve("dr"))) {
            assertThat(dr.list()).contains(othersOwn);
            Path out = StoreFixture.restore(dr, dr.manifest(othersOwn), "vda", dir.resolve("app.img"));
            assertThat(TestImages.sha256(out)).isEqualTo(expected.get(othersOwn).get("vda"));
        }
    }

    @Test
    void theCommandLinePrunesOnlyWhenAskedAndRefusesBadOptionsBeforeTouchingTheBucket() throws Exception {
        Path store = dir.resolve("store");
        List<String> bucket = List.of("--endpoint", server.endpoint().toString(), "--bucket", "cli",
                "--access-key", S3ProxyServer.IDENTITY, "--secret-key", S3ProxyServer.CREDENTIAL);
        assertThat(CliRunner.run(store, "init", "--chunk-size", "64K", "--pack-size", "1M").exit()).isZero();
        for (String[] bad : List.of(new String[]{"--concurrency", "0"}, new String[]{"--prune", "--prune-grace-hours", "-1"})) {
            Result r = CliRunner.run(store, concat(List.of("replicate", bad[0]), List.of(bad).subList(1, bad.length), bucket));
            assertThat(r.exit()).as("%s", r).isEqualTo(ExitCode.USAGE);
            assertThat(r.err()).startsWith("lifeboat-store: ").doesNotContain("Exception");
        }
        try (S3Target t = new S3Target(TestS3.settings(server, "cli"))) {
            assertThat(t.list("")).as("nothing was sent").isEmpty();
        }

        Path image = TestImages.mixed(dir.resolve("w.img"), 1 << 20, 30_000, 61);
        assertThat(CliRunner.run(store, "backup", "--vm", "web01", image.toString()).exit()).isZero();
        String id = CliRunner.run(store, "--json", "list").json().get(0).get("id").asText();
        assertThat(CliRunner.run(store, concat(List.of("replicate"), List.of(), bucket)).exit()).isZero();
        assertThat(CliRunner.run(store, "delete", id).exit()).isZero();

        Result plain = CliRunner.run(store, concat(List.of("--json", "replicate"), List.of(), bucket));
        assertThat(plain.exit()).isZero();
        assertThat(plain.json().get("prune").isNull()).isTrue();
        Result pruned = CliRunner.run(store, concat(List.of("--json", "replicate", "--prune", "--prune-grace-hours", "0"), List.of(), bucket));
        assertThat(pruned.exit()).as("%s", pruned).isZero();
        assertThat(pruned.json().get("prune").get("deletedManifests").asInt()).isEqualTo(1);
        try (S3Target t = new S3Target(TestS3.settings(server, "cli"))) {
            assertThat(new BucketReader(t).restorePoints()).isEmpty();
        }
    }

    private static String[] concat(List<String> a, List<String> b, List<String> c) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        all.addAll(c);
        return all.toArray(String[]::new);
    }

    @Test
    void aRestorePointThatComesBackCancelsItsPendingDeletion() throws Exception {
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small()); S3Target t = new S3Target(TestS3.settings(server, "comeback"))) {
            RestorePointId id = backup(src, "web01", TestImages.mixed(dir.resolve("w.img"), 1 << 20, 30_000, 41)).id();
            assertThat(replicate(src, t, true).ok()).isTrue();
            Path file = src.manifests().file(id);
            byte[] manifest = Files.readAllBytes(file);

            src.delete(id);
            clock.advance(Duration.ofHours(1));
            assertThat(replicate(src, t, true).prune().pendingManifests()).isEqualTo(1);

            Files.write(file, manifest); // restored into the store, say from the bucket
            clock.advance(GRACE);
            ReplicationReport back = replicate(src, t, true);
            assertThat(back.prune().deletedManifests()).isZero();
            assertThat(back.prune().pendingManifests()).isZero();
            assertThat(new BucketReader(t).restorePoints()).containsExactly(id);

            // deleted again: the grace period starts over from now, not from the first deletion
            src.delete(id);
            clock.advance(Duration.ofHours(1));
            assertThat(replicate(src, t, true).prune().pendingManifests()).isEqualTo(1);
            clock.advance(GRACE.minusMinutes(1));
            assertThat(replicate(src, t, true).prune().deletedManifests()).isZero();
            clock.advance(Duration.ofMinutes(1));
            assertThat(replicate(src, t, true).prune().deletedManifests()).isEqualTo(1);
            assertThat(new BucketReader(t).restorePoints()).isEmpty();
        }
    }
}
