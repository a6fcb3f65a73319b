package io.lifeboat.store.replication;

import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreFixture;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.testkit.TestImages;
import io.lifeboat.testkit.s3.FaultProxy;
import io.lifeboat.testkit.s3.FaultProxy.Fault;
import io.lifeboat.testkit.s3.FaultProxy.Request;
import io.lifeboat.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replication through a network and a server that fail: HTTP 500, 503 SlowDown, connections reset
 * in the middle of a part or a PUT, and responses that never come. A burst shorter than the
 * attempts per request is absorbed by retries within the run; a longer outage fails the run with
 * a clear error and the next run completes. After every run, failed or not, the bucket is
 * consistent (every restore point in it can be restored from it); at the end it verifies, and a
 * mirror restores every restore point bit-exact.
 */
class ReplicationFaultTest {
    private static final int ATTEMPTS = 3;
    /** Fewer attempts where they all fail: the outage outlasts them sooner. */
    private static final int OUTAGE_ATTEMPTS = 2;
    /** Only for the stall cases: long enough for a 5 MiB part on a busy machine, short enough to wait for. */
    private static final Duration STALL_TIMEOUT = Duration.ofMillis(1500);

    @TempDir
    static Path shared;
    static S3ProxyServer server;
    static Store source;
    /** Restore point → disk name → SHA-256 of the image it was taken from. */
    static final Map<RestorePointId, Map<String, String>> expected = new HashMap<>();
    static Set<String> packKeys;
    static Set<String> multipartPackKeys;

    @TempDir
    Path dir;

    /** What fails: a matching request gets the fault. */
    enum Target {
        PACK_WRITES(r -> r.isUnder(BucketLayout.PACKS) && r.isWrite()),
        UPLOAD_PARTS(Request::isUploadPart),
        SINGLE_PACK_PUTS(r -> r.isUnder(BucketLayout.PACKS) && r.isPutObject()),
        MULTIPART_COMPLETIONS(Request::isCompleteMultipartUpload),
        MANIFEST_PUTS(r -> r.isUnder(BucketLayout.MANIFESTS) && r.isPutObject());

        final Predicate<Request> when;

        Target(Predicate<Request> when) {
            this.when = when;
        }
    }

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of(Fault.INTERNAL_ERROR, Target.PACK_WRITES),
                Arguments.of(Fault.SLOW_DOWN, Target.MANIFEST_PUTS),
                Arguments.of(Fault.RESET_MID_BODY, Target.UPLOAD_PARTS),
                Arguments.of(Fault.RESET_MID_BODY, Target.SINGLE_PACK_PUTS),
                Arguments.of(Fault.STALL, Target.MULTIPART_COMPLETIONS));
    }

    @BeforeAll
    static void start() throws Exception {
        server = S3ProxyServer.start(shared, bucketNames());
        // 64 KiB chunks in packs sealed at 5.5 MiB: incompressible data makes a pack above the
        // 5 MiB multipart threshold (two parts) and smaller ones that go in one PUT.
        source = Store.init(shared.resolve("src"), StoreFixture.small().withPackTargetSize((11L << 20) / 2));
        Path a = shared.resolve("a.img");
        try (RandomAccessFile f = new RandomAccessFile(a.toFile(), "rw")) {
            TestImages.write(f, 0, 6 << 20, TestImages.Fill.RANDOM, new Random(1));
        }
        backup("a", a);
        try (RandomAccessFile f = new RandomAccessFile(a.toFile(), "rw")) {
            TestImages.write(f, 3 << 20, 1 << 20, TestImages.Fill.RANDOM, new Random(2));
        }
        backup("a", a);
        backup("b", TestImages.mixed(shared.resolve("b.img"), (2 << 20) + 999, 60_000, 3));
        packKeys = source.index().packs().keySet().stream().map(BucketLayout::packKey).collect(Collectors.toCollection(TreeSet::new));
        multipartPackKeys = source.index().packs().values().stream().filter(p -> p.size() > 5L << 20)
                .map(p -> BucketLayout.packKey(p.id())).collect(Collectors.toCollection(TreeSet::new));
        assertThat(packKeys).hasSizeGreaterThanOrEqualTo(4);
        assertThat(multipartPackKeys).isNotEmpty();
        assertThat(packKeys).hasSizeGreaterThan(multipartPackKeys.size());
    }

    private static String[] bucketNames() {
        return faults().flatMap(a -> Stream.of(bucket("burst", a), bucket("outage", a))).toArray(String[]::new);
    }

    private static String bucket(String kind, Arguments a) {
        return (kind + "-" + a.get()[0] + "-" + a.get()[1]).toLowerCase().replace('_', '-');
    }

    private static void backup(String vm, Path image) throws Exception {
        Manifest m = StoreFixture.backup(source, vm, image);
        expected.put(m.id(), Map.of("vda", TestImages.sha256(image)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (source != null) {
            source.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static S3Settings settings(FaultProxy proxy, String bucket, Fault fault, int attempts) {
        S3Settings s = TestS3.settings(server, bucket).withEndpoint(proxy.endpoint()).withMultipart(5L << 20, 5L << 20).withMaxAttempts(attempts);
        return fault == Fault.STALL ? s.withAttemptTimeout(STALL_TIMEOUT) : s;
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("faults")
    void aBurstShorterThanTheAttemptsIsRetriedWithinTheRun(Fault fault, Target target) throws Exception {
        String bucket = bucket("burst", Arguments.of(fault, target));
        try (FaultProxy proxy = FaultProxy.start(server.endpoint());
             S3Target t = new S3Target(settings(proxy, bucket, fault, ATTEMPTS))) {
            FaultProxy.Injection burst = proxy.inject(fault, ATTEMPTS - 1, target.when);
            ReplicationReport r = new Replicator(source, t).run(Progress.none());

            assertThat(r.failures()).isEmpty();
            assertThat(burst.injected()).isEqualTo(ATTEMPTS - 1);
            assertThat(r.uploadedPacks()).isEqualTo(packKeys.size());
            assertThat(r.uploadedManifests()).isEqualTo(expected.size());
            assertSentAsContentLength(proxy);
            // each pack became an object exactly once: the failed attempts stored nothing
            assertThat(proxy.committedKeys(req -> req.isUnder(BucketLayout.PACKS))).isEqualTo(packKeys);
            assertThat(proxy.count(e -> e.completed() && e.request().isUnder(BucketLayout.PACKS) && e.request().isObjectCommit()))
                    .isEqualTo(packKeys.size());
            assertThat(proxy.committedKeys(Request::isCompleteMultipartUpload)).isEqualTo(multipartPackKeys);
            proxy.releaseStalls();
        }
        assertBucketConsistent(bucket, expected.size());
        assertMirrorRestoresEverything(bucket);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("faults")
    void aLongerOutageFailsTheRunAndTheNextRunCompletes(Fault fault, Target target) throws Exception {
        String bucket = bucket("outage", Arguments.of(fault, target));
        try (FaultProxy proxy = FaultProxy.start(server.endpoint());
             S3Target t = new S3Target(settings(proxy, bucket, fault, OUTAGE_ATTEMPTS))) {
            // A stall costs an attempt timeout each time, so that outage lasts one request's attempts,
            // on a manifest: the one upload a run does not try again later (a pack it does, first
            // thing for the manifest that needs it).
            // One manifest's key: manifests are uploaded several at once, and each would take one stall.
            String stalled = BucketLayout.manifestKey(expected.keySet().stream().sorted().findFirst().orElseThrow());
            FaultProxy.Injection outage = fault == Fault.STALL
                    ? proxy.inject(fault, OUTAGE_ATTEMPTS, r -> Target.MANIFEST_PUTS.when.test(r) && stalled.equals(r.key()))
                    : proxy.outage(fault, target.when);
            ReplicationReport failed = new Replicator(source, t).run(Progress.none());

            assertThat(failed.ok()).isFalse();
            assertThat(outage.injected()).isGreaterThanOrEqualTo(OUTAGE_ATTEMPTS);
            assertThat(failed.failures()).allSatisfy(f -> assertThat(f).contains(switch (fault) {
                case INTERNAL_ERROR -> "answered HTTP 500 InternalError";
                case SLOW_DOWN -> "answered HTTP 503 SlowDown";
                case RESET_MID_BODY -> "uploading packs/";
                case STALL -> "uploading manifests/";
            }).doesNotContain("Exception"));
            int manifestsAfterFailure = new BucketReader(t).restorePoints().size();
            assertThat(manifestsAfterFailure).isLessThan(expected.size());
            assertBucketConsistent(bucket, manifestsAfterFailure);

            outage.stop();
            proxy.releaseStalls();
            Set<String> before = new BucketReader(t).packs().keySet().stream().map(BucketLayout::packKey)
                    .collect(Collectors.toSet());
            proxy.resetCounts();
            ReplicationReport next = new Replicator(source, t).run(Progress.none());
            assertThat(next.failures()).isEmpty();
            assertThat(next.uploadedManifests()).isEqualTo(expected.size() - manifestsAfterFailure);
            // the second run sends only what the first did not store
            Set<String> rest = new TreeSet<>(packKeys);
            rest.removeAll(before);
            assertThat(proxy.committedKeys(req -> req.isUnder(BucketLayout.PACKS))).isEqualTo(rest);
            assertThat(proxy.count(e -> e.request().isUnder(BucketLayout.PACKS) && e.request().isWrite()
                    && before.contains(e.request().key()))).isZero();
        }
        assertBucketConsistent(bucket, expected.size());
        assertMirrorRestoresEverything(bucket);
    }

    /** Every request body went with a Content-Length; none as Transfer-Encoding: chunked (which the proxy refuses with 501). */
    private static void assertSentAsContentLength(FaultProxy proxy) {
        assertThat(proxy.exchanges()).allSatisfy(e -> {
            assertThat(e.status()).isNotEqualTo(501);
            assertThat(e.request().headers()).doesNotContainKey("transfer-encoding");
            if (e.request().isWrite()) {
                assertThat(e.request().headers()).containsKey("content-length");
            }
        });
    }

    /** No restore point in the bucket needs a pack that is not whole in it, and nothing is damaged. */
    private static void assertBucketConsistent(String bucket, int restorePoints) throws Exception {
        try (S3Target t = new S3Target(TestS3.settings(server, bucket))) {
            BucketVerifyReport v = new BucketVerifier(t).run(Progress.none());
            assertThat(v.damagedObjects()).isEmpty();
            assertThat(v.affectedRestorePoints()).isEmpty();
            assertThat(v.restorePointsChecked()).isEqualTo(restorePoints);
        }
    }

    private void assertMirrorRestoresEverything(String bucket) throws Exception {
        Path mirror = dir.resolve("mirror");
        try (S3Target t = new S3Target(TestS3.settings(server, bucket))) {
            MirrorReport m = new BucketReader(t).mirrorTo(mirror, Progress.none());
            assertThat(m.refused()).isEmpty();
            assertThat(m.downloadedManifests()).isEqualTo(expected.size());
        }
        try (Store store = Store.open(mirror)) {
            assertThat(store.list()).containsExactlyInAnyOrderElementsOf(expected.keySet());
            for (Map.Entry<RestorePointId, Map<String, String>> rp : expected.entrySet()) {
                Path out = dir.resolve("restored-" + rp.getKey().vm() + "-" + rp.getKey().timePart());
                StoreFixture.restore(store, store.manifest(rp.getKey()), "vda", out);
                assertThat(TestImages.sha256(out)).as("%s", rp.getKey()).isEqualTo(rp.getValue().get("vda"));
            }
        }
    }
}
