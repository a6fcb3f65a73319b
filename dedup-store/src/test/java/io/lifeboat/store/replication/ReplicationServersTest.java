package io.lifeboat.store.replication;

import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreFixture;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.read.DiskReader;
import io.lifeboat.testkit.TestImages;
import io.lifeboat.testkit.s3.PutCounter;
import io.lifeboat.testkit.s3.S3ServersExtension;
import io.lifeboat.testkit.s3.S3TestServer;
import io.lifeboat.testkit.s3.ServerProcess;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replication end to end against each S3 implementation the tests run (S3Proxy, S3Mock, s3rver):
 * the store replicated with the settings the probe chooses, then a recovery site with nothing but
 * the bucket restores every point bit-exact, by mirror and by lazy reads; verify-bucket passes; a
 * second run uploads nothing. And s3rver, which stores the frames of the AWS SDK's streaming
 * uploads instead of the data, configured to get them: the run fails before it uploads anything,
 * saying what the server did and what to set, and a run with the probed settings then works.
 */
class ReplicationServersTest {
    private static final String BUCKET = "recovery";
    private static final String STREAMED = "streamed";

    @RegisterExtension
    static final S3ServersExtension SERVERS = new S3ServersExtension(BUCKET, STREAMED);

    @TempDir
    Path dir;

    static Stream<Named<S3TestServer>> servers() {
        return SERVERS.named();
    }

    /** Two restore points of one VM, the second after a change; image SHA-256 per point. */
    private Map<RestorePointId, String> twoRestorePoints(Store store) throws Exception {
        Map<RestorePointId, String> points = new LinkedHashMap<>();
        Path image = TestImages.mixed(dir.resolve("web.img"), (5 << 20) + 777, 80_000, 61);
        points.put(StoreFixture.backup(store, "web01", image).id(), TestImages.sha256(image));
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            TestImages.write(f, 1 << 20, 700_000, TestImages.Fill.RANDOM, new Random(62));
        }
        points.put(StoreFixture.backup(store, "web01", image).id(), TestImages.sha256(image));
        return points;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void aRecoverySiteWithTheBucketAloneRestoresEveryPointBitExact(S3TestServer server) throws Exception {
        Map<RestorePointId, String> points;
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small())) {
            points = twoRestorePoints(src);
            // (multipart uploads are read back on every server in S3TargetServersTest)
            S3Settings settings = TestS3.settings(server, BUCKET);
            try (S3Target t = new S3Target(settings)) {
                ReplicationReport first = new Replicator(src, t).run(Progress.none());
                assertThat(first.ok()).as(first.failures().toString()).isTrue();
                assertThat(first.uploadedManifests()).isEqualTo(2);
                assertThat(t.probe().chosen().payload()).isEqualTo(S3Compatibility.Payload.SIGNED);
            }
            PutCounter puts = new PutCounter(ServerProbe.PREFIX);
            try (S3Target t = new S3Target(settings, puts)) {
                ReplicationReport second = new Replicator(src, t).run(Progress.none());
                assertThat(second.ok()).isTrue();
                assertThat(second.uploadedObjects()).isZero();
                assertThat(puts.writes()).as("a second run writes nothing but its probe object").isZero();
            }
        }
        deleteTree(dir.resolve("src"));

        try (S3Target t = new S3Target(TestS3.settings(server, BUCKET))) {
            BucketVerifyReport verify = new BucketVerifier(t).run(Progress.none());
            assertThat(verify.ok()).as(verify.toString()).isTrue();
            assertThat(verify.restorePointsChecked()).isEqualTo(2);

            Path site = dir.resolve("site");
            assertThat(new BucketReader(t).mirrorTo(site, Progress.none()).refused()).isEmpty();
            try (Store mirrored = Store.open(site)) {
                for (Map.Entry<RestorePointId, String> p : points.entrySet()) {
                    Path out = StoreFixture.restore(mirrored, mirrored.manifest(p.getKey()), "vda",
                            dir.resolve("restored-" + p.getKey().timePart()));
                    assertThat(TestImages.sha256(out)).as("mirrored %s", p.getKey()).isEqualTo(p.getValue());
                }
            }
            try (BucketChunks chunks = BucketChunks.open(new BucketReader(t), dir.resolve("cache"), 4L << 20)) {
                for (Map.Entry<RestorePointId, String> p : points.entrySet()) {
                    Manifest m = new BucketReader(t).manifest(p.getKey());
                    assertThat(BucketChunksTest.readAll(new DiskReader(m.disk("vda"), chunks, 2), () -> { }))
                            .as("read lazily %s", p.getKey()).isEqualTo(p.getValue());
                }
            }
        }
    }

    @Test
    void aServerThatStoresStreamingFramesFailsTheRunUntilTheSettingsAreProbed() throws Exception {
        S3TestServer s3rver = SERVERS.servers().stream().filter(s -> s.name().equals("s3rver")).findFirst().orElseThrow();
        S3Settings streaming = TestS3.settings(s3rver, STREAMED).withCompatibility(
                new S3Compatibility(S3Compatibility.Payload.STREAMING, S3Compatibility.Sha256Header.SEND, false));
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small())) {
            Map<RestorePointId, String> points = twoRestorePoints(src);
            try (S3Target t = new S3Target(streaming)) {
                ReplicationReport r;
                try {
                    r = new Replicator(src, t).run(Progress.none());
                    throw new AssertionError("the probe let a streaming upload through: " + r);
                } catch (io.lifeboat.store.StoreException e) {
                    assertThat(e.getMessage()).contains("no way of uploading").contains("payload=streaming")
                            .contains("aws-chunked framing").contains("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
                            .contains("Set payload signing to signed");
                }
                assertThat(t.list("")).as("nothing in the bucket, not even the probe's object").isEmpty();
            }
            try (S3Target t = new S3Target(TestS3.settings(s3rver, STREAMED))) {
                ReplicationReport r = new Replicator(src, t).run(Progress.none());
                assertThat(r.ok()).as(r.failures().toString()).isTrue();
                assertThat(t.probe().chosen().payload()).isEqualTo(S3Compatibility.Payload.SIGNED);
                assertThat(new BucketVerifier(t).run(Progress.none()).ok()).isTrue();
                assertThat(new BucketReader(t).restorePoints()).containsExactlyElementsOf(points.keySet());
            }
        }
    }

    private static void deleteTree(Path p) throws java.io.IOException {
        ServerProcess.deleteTree(p);
    }
}
