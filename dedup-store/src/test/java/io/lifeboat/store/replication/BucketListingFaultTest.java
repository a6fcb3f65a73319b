package io.lifeboat.store.replication;

import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.StoreFixture;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.testkit.TestImages;
import io.lifeboat.testkit.s3.FaultProxy;
import io.lifeboat.testkit.s3.S3ProxyExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A server that fails one page of a listing: the SDK retries that page, and one that keeps failing
 * fails the listing with a message naming the page, never a shorter listing read as the whole
 * bucket (a verify that passes over half the packs, a recovery-site index that forgets the rest).
 */
class BucketListingFaultTest {
    private static final String BUCKET = "pages";

    @RegisterExtension
    static final S3ProxyExtension server = new S3ProxyExtension(BUCKET);

    @TempDir
    static Path dir;

    private static int packs;
    private static Manifest manifest;

    @BeforeAll
    static void replicate() throws Exception {
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small());
             S3Target t = new S3Target(TestS3.settings(server, BUCKET))) {
            Path image = dir.resolve("web.img");
            try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(image.toFile(), "rw")) {
                TestImages.write(f, 0, 6 << 20, TestImages.Fill.RANDOM, new java.util.Random(11));
            }
            manifest = StoreFixture.backup(src, "web01", image);
            assertThat(new Replicator(src, t).run(Progress.none()).ok()).isTrue();
            packs = src.index().packs().size();
        }
        assertThat(packs).as("enough packs for several listing pages").isGreaterThanOrEqualTo(5);
    }

    /** A LIST request after the first page. */
    private static final Predicate<FaultProxy.Request> LATER_PAGE = r -> r.method().equals("GET") && r.key().isEmpty()
            && r.hasParam("continuation-token");

    private static S3Settings paged(FaultProxy proxy) {
        return TestS3.settings(server, BUCKET).withEndpoint(proxy.endpoint()).withListPageSize(2).withMaxAttempts(3);
    }

    @Test
    void aPageThatFailsOnceIsRetriedAndTheListingIsWhole() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(server.endpoint()); S3Target t = new S3Target(paged(proxy))) {
            FaultProxy.Injection fault = proxy.inject(FaultProxy.Fault.INTERNAL_ERROR, 1, LATER_PAGE);
            BucketVerifyReport r = new BucketVerifier(t).run(Progress.none());
            assertThat(fault.injected()).isEqualTo(1);
            assertThat(r.ok()).isTrue();
            assertThat(r.packsChecked()).isEqualTo(packs);
            assertThat(r.restorePointsChecked()).isEqualTo(1);
        }
    }

    @Test
    void aPageThatKeepsFailingFailsTheVerifyWithWhichPage() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(server.endpoint()); S3Target t = new S3Target(paged(proxy))) {
            proxy.outage(FaultProxy.Fault.INTERNAL_ERROR, LATER_PAGE);
            assertThatThrownBy(() -> new BucketVerifier(t).run(Progress.none()))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("page 2 failed after 3 attempt(s), with 2 key(s) read before it")
                    .hasMessageContaining("the listing is incomplete and nothing was concluded from it")
                    .hasMessageContaining("HTTP 500");
        }
    }

    @Test
    void theRecoverySiteIndexForgetsNothingWhileTheListingFails() throws Exception {
        Path cache = dir.resolve("cache");
        try (S3Target t = new S3Target(TestS3.settings(server, BUCKET));
             BucketChunks chunks = BucketChunks.open(new BucketReader(t), cache, 1 << 20)) {
            assertThat(chunks.has(firstDigest())).isTrue();
        }
        try (FaultProxy proxy = FaultProxy.start(server.endpoint()); S3Target t = new S3Target(paged(proxy))) {
            FaultProxy.Injection outage = proxy.outage(FaultProxy.Fault.INTERNAL_ERROR, LATER_PAGE);
            assertThatThrownBy(() -> BucketChunks.open(new BucketReader(t), cache, 1 << 20))
                    .hasMessageContaining("listing packs/").hasMessageContaining("incomplete");
            outage.stop();
            proxy.resetCounts();
            try (BucketChunks chunks = BucketChunks.open(new BucketReader(t), cache, 1 << 20)) {
                assertThat(chunks.has(firstDigest())).isTrue();
                assertThat(proxy.count(e -> e.request().method().equals("GET") && e.request().isUnder(BucketLayout.PACKS)))
                        .as("no footer read again: the index kept every pack through the failed refresh").isZero();
            }
        }
    }

    private static Digest firstDigest() {
        DiskMap disk = manifest.disks().get(0);
        return disk.digest(StoreFixture.firstDataSlot(disk));
    }
}
