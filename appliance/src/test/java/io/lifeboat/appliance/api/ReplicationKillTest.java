package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import io.lifeboat.appliance.TestBuckets;
import io.lifeboat.appliance.TestDirectories;
import io.lifeboat.store.BackupSession;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreConfig;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.ingest.Ingester;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.replication.BucketLayout;
import io.lifeboat.store.replication.BucketVerifier;
import io.lifeboat.store.replication.BucketVerifyReport;
import io.lifeboat.store.replication.S3Target;
import io.lifeboat.testkit.TestImages;
import io.lifeboat.testkit.s3.FaultProxy;
import io.lifeboat.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The appliance killed with SIGKILL in the middle of a replication, then started again on the
 * same data directory: the interrupted job is marked failed, replication resumes by itself, and
 * that run uploads exactly the packs that were not in the bucket yet, not one request for a pack
 * that was. Requests are counted
 * by a proxy between the appliance and S3Proxy.
 */
class ReplicationKillTest {
    private static final String BUCKET = "site-k";
    private static final int K = 3;
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @Test
    void aKilledReplicationResumesWithoutSendingWhatArrived() throws Exception {
        Path top = TestDirectories.removedAtExit("lifeboat-kill");
        Path data = top.resolve("data");
        Set<String> packs = new TreeSet<>();
        try (Store store = Store.init(data.resolve("store"), StoreConfig.defaults().withChunkSize(64 << 10).withPackTargetSize(1 << 20))) {
            Path image = top.resolve("web.img");
            try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
                TestImages.write(f, 0, 4 << 20, TestImages.Fill.RANDOM, new Random(11));
            }
            backUp(store, "web01", image);
            backUp(store, "db01", TestImages.mixed(top.resolve("db.img"), 3 << 20, 70_000, 12));
            store.index().packs().keySet().forEach(id -> packs.add(BucketLayout.packKey(id)));
        }
        assertThat(packs).hasSizeGreaterThan(K + 2);

        try (S3ProxyServer s3 = S3ProxyServer.start(top.resolve("s3"), BUCKET);
             FaultProxy proxy = FaultProxy.start(s3.endpoint())) {
            Map<String, String> settings = Map.of(
                    "lifeboat.replication.endpoint", proxy.endpoint().toString(),
                    "lifeboat.replication.bucket", BUCKET,
                    "lifeboat.replication.access-key", S3ProxyServer.IDENTITY,
                    "lifeboat.replication.secret-key", S3ProxyServer.CREDENTIAL,
                    "lifeboat.replication.every", "0",
                    "lifeboat.replication.concurrency", "1");

            String interrupted;
            FaultProxy.Hold hold = proxy.hold(r -> r.isWrite() && proxy.completed(q -> q.isUnder(BucketLayout.PACKS) && q.isObjectCommit()) >= K);
            try (ApplianceProcess first = ApplianceProcess.start(data, settings)) {
                ApiClient.Reply started = first.admin().post("/api/replication");
                assertThat(started.status()).as(started.text()).isEqualTo(202);
                interrupted = started.body().path("jobId").asString();
                FaultProxy.Request held = hold.awaitHeld(DEADLINE);
                assertThat(held.isUnder(BucketLayout.PACKS)).as("held %s", held).isTrue();
                first.kill();
            }
            hold.cancel();
            Set<String> before = proxy.committedKeys(req -> req.isUnder(BucketLayout.PACKS));
            assertThat(before).hasSize(K);

            proxy.resetCounts();
            try (ApplianceProcess second = ApplianceProcess.start(data, settings)) {
                JsonNode old = second.admin().get("/api/jobs/" + interrupted).body();
                assertThat(old.path("state").asString()).as(old.toString()).isEqualTo("FAILED");

                // nobody asks: the appliance resumes the interrupted replication when it starts
                JsonNode last = awaitResumed(second, interrupted);
                assertThat(last.path("state").asString()).as(last.toString()).isEqualTo("SUCCEEDED");
                JsonNode report = last.path("report");
                assertThat(report.path("uploadedPacks").asInt()).isEqualTo(packs.size() - K);
                assertThat(report.path("skippedPacks").asInt()).isEqualTo(K);
                assertThat(report.path("uploadedManifests").asInt()).isEqualTo(2);
            }
            assertThat(proxy.exchanges()).as("no request at all for a pack that was whole before the kill")
                    .noneMatch(e -> e.request().isWrite() && before.contains(e.request().key()));
            Set<String> rest = new TreeSet<>(packs);
            rest.removeAll(before);
            assertThat(proxy.committedKeys(req -> req.isUnder(BucketLayout.PACKS))).isEqualTo(rest);
            assertThat(proxy.count(e -> e.completed() && e.request().isUnder(BucketLayout.PACKS) && e.request().isWrite()))
                    .as("each missing pack sent once (a request held at the kill may be recorded late, unanswered)")
                    .isEqualTo(rest.size());

            try (S3Target target = new S3Target(TestBuckets.settings(s3, BUCKET))) {
                BucketVerifyReport verify = new BucketVerifier(target).run(Progress.none());
                assertThat(verify.ok()).as("%s", verify).isTrue();
                assertThat(verify.restorePointsChecked()).isEqualTo(2);
            }
        }
    }

    /** The first replication run after {@code interrupted} once it has ended, as GET /api/replication shows it. */
    private static void backUp(Store store, String vm, Path image) throws StoreException {
        try (BackupSession s = store.beginBackup(vm)) {
            Ingester.forThisMachine(store.config().zstdLevel()).ingestImage(s, "vda", image, Progress.none());
            s.commit(Manifest.Kind.FULL, Manifest.Consistency.OFFLINE, "", "<domain/>", Map.of());
        }
    }

    private static JsonNode awaitResumed(ApplianceProcess appliance, String interrupted) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            JsonNode last = appliance.admin().get("/api/replication").body().path("last");
            if (last.isObject() && !last.path("job").asString().equals(interrupted)) {
                return last;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no replication run after the restart: " + last + "\n" + appliance.log());
            }
            Thread.sleep(100);
        }
    }
}
