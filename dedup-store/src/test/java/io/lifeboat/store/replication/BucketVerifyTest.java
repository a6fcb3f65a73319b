package io.lifeboat.store.replication;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreFixture;
import io.lifeboat.store.cli.CliRunner;
import io.lifeboat.store.cli.CliRunner.Result;
import io.lifeboat.cli.ExitCode;
import io.lifeboat.store.index.ChunkLocation;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.pack.PackFormat;
import io.lifeboat.testkit.TestImages;
import io.lifeboat.testkit.s3.S3ProxyExtension;
import io.lifeboat.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link BucketVerifier} and {@code lifeboat-store verify-bucket}: damage in a bucket is found, named, and never used. */
class BucketVerifyTest {
    @RegisterExtension
    static final S3ProxyExtension server = new S3ProxyExtension("clean", "damaged");

    @TempDir
    Path dir;

    private static List<String> bucket(String name, String... verb) {
        List<String> args = new ArrayList<>(List.of(verb));
        args.addAll(List.of("--endpoint", server.endpoint().toString(), "--bucket", name,
                "--access-key", S3ProxyServer.IDENTITY, "--secret-key", S3ProxyServer.CREDENTIAL));
        return args;
    }

    private Result cli(Path store, List<String> args) {
        return CliRunner.run(store, args.toArray(String[]::new));
    }

    @Test
    void aCleanBucketPasses() throws Exception {
        int packs;
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small());
             S3Target t = new S3Target(TestS3.settings(server, "clean"))) {
            StoreFixture.backup(src, "a", TestImages.mixed(dir.resolve("a.img"), 3 << 20, 50_000, 1));
            StoreFixture.backup(src, "b", TestImages.mixed(dir.resolve("b.img"), 2 << 20, 50_000, 2));
            packs = src.index().packs().size();
            assertThat(new Replicator(src, t).run(Progress.none()).ok()).isTrue();

            BucketVerifyReport r = new BucketVerifier(t).run(Progress.none());
            assertThat(r.ok()).isTrue();
            assertThat(r.packsChecked()).isEqualTo(packs);
            assertThat(r.chunksChecked()).isEqualTo(src.index().packs().values().stream().mapToLong(p -> p.chunkCount()).sum());
            assertThat(r.restorePointsChecked()).isEqualTo(2);
        }
        Result cli = cli(dir.resolve("unused"), bucket("clean", "--json", "verify-bucket"));
        assertThat(cli.exit()).as("%s", cli).isEqualTo(ExitCode.OK);
        assertThat(cli.json().get("ok").asBoolean()).isTrue();
        assertThat(cli.json().get("packsChecked").asInt()).isEqualTo(packs);
        Result human = cli(dir.resolve("unused"), bucket("clean", "verify-bucket"));
        assertThat(human.out()).contains("2 restore point(s) checked: OK");
        assertThat(dir.resolve("unused")).doesNotExist();
    }

    /**
     * Four VMs: a intact; b twice, both needing a pack with a flipped byte; c with a damaged
     * manifest; d whose only pack is gone from the bucket.
     */
    @Test
    void damageIsReportedWithTheRestorePointsItBreaksAndNeverUsed() throws Exception {
        String intact;
        String b1;
        String b2;
        String c;
        String d;
        String damagedPack;
        String missingPack;
        String intactSha;
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small());
             S3Target t = new S3Target(TestS3.settings(server, "damaged"))) {
            Path a = TestImages.mixed(dir.resolve("a.img"), 2 << 20, 40_000, 11);
            intactSha = TestImages.sha256(a);
            intact = StoreFixture.backup(src, "a", a).id().toString();
            Path b = TestImages.mixed(dir.resolve("b.img"), 2 << 20, 40_000, 12);
            Manifest mb1 = StoreFixture.backup(src, "b", b);
            try (RandomAccessFile f = new RandomAccessFile(b.toFile(), "rw")) {
                TestImages.write(f, 1 << 20, 100_000, TestImages.Fill.RANDOM, new Random(3));
            }
            Manifest mb2 = StoreFixture.backup(src, "b", b);
            b1 = mb1.id().toString();
            b2 = mb2.id().toString();
            c = StoreFixture.backup(src, "c", TestImages.mixed(dir.resolve("c.img"), 1 << 20, 40_000, 13)).id().toString();
            Path dImg = dir.resolve("d.img");
            try (RandomAccessFile f = new RandomAccessFile(dImg.toFile(), "rw")) {
                TestImages.write(f, 0, 300_000, TestImages.Fill.RANDOM, new Random(14));
            }
            Manifest md = StoreFixture.backup(src, "d", dImg);
            d = md.id().toString();
            assertThat(new Replicator(src, t).run(Progress.none()).ok()).isTrue();

            // a chunk of b's first disk that b's second backup did not change: both need its pack
            ChunkLocation loc = src.index().get(mb1.disks().get(0).digest(StoreFixture.firstDataSlot(mb1.disks().get(0)))).orElseThrow();
            damagedPack = BucketLayout.packKey(loc.packId());
            TestImages.flipByte(server.objectFile("damaged", damagedPack), loc.offset() + PackFormat.FRAME_HEADER_SIZE + 5);
            TestImages.flipByte(server.objectFile("damaged", BucketLayout.manifestKey(RestorePointId.parse(c))), 50);
            Set<String> dPacks = packsOf(src, md);
            assertThat(dPacks).hasSize(1);
            missingPack = BucketLayout.packKey(dPacks.iterator().next());
            t.delete(missingPack);
            assertThat(packsOf(src, src.manifest(RestorePointId.parse(intact)))).doesNotContain(loc.packId());

            BucketVerifyReport r = new BucketVerifier(t).run(Progress.none());
            assertThat(r.ok()).isFalse();
            assertThat(r.damagedObjects()).extracting(BucketVerifyReport.DamagedObject::key)
                    .containsExactlyInAnyOrder(damagedPack, BucketLayout.manifestKey(RestorePointId.parse(c)));
            BucketVerifyReport.DamagedObject pack = r.damagedObjects().stream().filter(o -> o.key().equals(damagedPack))
                    .findFirst().orElseThrow();
            assertThat(pack.reason()).contains("checksum mismatch");
            assertThat(pack.restorePoints()).containsExactlyInAnyOrder(b1, b2);
            BucketVerifyReport.DamagedObject manifest = r.damagedObjects().stream().filter(o -> o.key().startsWith("manifests/"))
                    .findFirst().orElseThrow();
            assertThat(manifest.restorePoints()).containsExactly(c);
            assertThat(r.affectedRestorePoints()).extracting(BucketVerifyReport.AffectedRestorePoint::id)
                    .containsExactlyInAnyOrder(b1, b2, c, d);
            BucketVerifyReport.AffectedRestorePoint missing = r.affectedRestorePoints().stream()
                    .filter(x -> x.id().equals(d)).findFirst().orElseThrow();
            assertThat(missing.missingChunks()).isEqualTo(new HashSet<>(digestsOf(md)).size());
            assertThat(missing.problem()).contains("in no intact pack").doesNotContain("damaged:");
            assertThat(r.affectedRestorePoints()).filteredOn(x -> x.id().equals(b1))
                    .singleElement().satisfies(x -> assertThat(x.problem()).contains(damagedPack));
        }

        Result cli = cli(dir.resolve("unused"), bucket("damaged", "--json", "verify-bucket"));
        assertThat(cli.exit()).as("%s", cli).isEqualTo(ExitCode.CORRUPT);
        JsonNode json = cli.json();
        assertThat(json.get("ok").asBoolean()).isFalse();
        assertThat(json.get("damagedObjects")).hasSize(2);
        assertThat(json.get("affectedRestorePoints")).hasSize(4);
        Result human = cli(dir.resolve("unused"), bucket("damaged", "verify-bucket"));
        assertThat(human.exit()).isEqualTo(ExitCode.CORRUPT);
        assertThat(human.out()).contains("PROBLEMS FOUND").contains("damaged " + damagedPack)
                .contains("restore point " + d + ": ");

        // the mirror leaves out what verify-bucket named, and restore of an affected point is refused
        Path recovery = dir.resolve("recovery");
        Result mirror = cli(recovery, bucket("damaged", "--json", "mirror"));
        assertThat(mirror.exit()).isEqualTo(ExitCode.CORRUPT);
        assertThat(mirror.json().get("downloadedManifests").asInt()).isEqualTo(1);
        assertThat(mirror.json().get("refused").toString()).contains(damagedPack.substring(9, 9 + 64))
                .contains(b1).contains(b2).contains(c).contains(d);
        for (String affected : List.of(b1, b2, c, d)) {
            Path out = dir.resolve("restored-" + affected.replace('/', '-'));
            Result restore = CliRunner.run(recovery, "restore", affected, out.toString());
            assertThat(restore.exit()).as("%s", restore).isEqualTo(ExitCode.NOT_FOUND);
            assertThat(out).doesNotExist();
        }
        Path out = dir.resolve("restored-a");
        assertThat(CliRunner.run(recovery, "restore", intact, out.toString()).exit()).isZero();
        assertThat(TestImages.sha256(out)).isEqualTo(intactSha);
    }

    private static Set<String> packsOf(Store store, Manifest m) throws Exception {
        Set<String> packs = new HashSet<>();
        for (var digest : digestsOf(m)) {
            packs.add(store.index().get(digest).orElseThrow().packId());
        }
        return packs;
    }

    private static List<io.lifeboat.store.chunk.Digest> digestsOf(Manifest m) {
        List<io.lifeboat.store.chunk.Digest> out = new ArrayList<>();
        for (DiskMap disk : m.disks()) {
            for (int s = 0; s < disk.slotCount(); s++) {
                if (disk.digest(s) != null) {
                    out.add(disk.digest(s));
                }
            }
        }
        return out;
    }
}
