package io.lifeboat.store.replication;

import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.StoreFixture;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.testkit.TestImages;
import io.lifeboat.testkit.s3.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A server that answers 200 to an upload and stores something else: the run fails naming the
 * object, no manifest that needs it goes up, the bad object is removed, and the next run (the
 * fault gone) repairs the bucket. The server here is a real S3Proxy whose stored file is changed
 * the moment the upload completes, as a server that mis-stores an upload would have stored it.
 */
class ReplicationReadBackTest {
    @RegisterExtension
    static final S3ProxyExtension server = new S3ProxyExtension("longer", "footer", "manifest", "multipart", "etag");

    @TempDir
    Path dir;

    /** Changes the stored file of the first upload whose key matches, right after the server answered it. */
    private static final class Tamper implements ExecutionInterceptor {
        private final String bucket;
        private final Predicate<String> which;
        private final Change change;
        final AtomicReference<String> tampered = new AtomicReference<>();

        interface Change {
            void apply(Path file) throws IOException;
        }

        Tamper(String bucket, Predicate<String> which, Change change) {
            this.bucket = bucket;
            this.which = which;
            this.change = change;
        }

        @Override
        public void afterExecution(Context.AfterExecution c, ExecutionAttributes a) {
            String key = c.request() instanceof PutObjectRequest p ? p.key()
                    : c.request() instanceof CompleteMultipartUploadRequest m ? m.key() : null;
            if (key != null && which.test(key) && tampered.compareAndSet(null, key)) {
                try {
                    change.apply(server.objectFile(bucket, key));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    private static void append(Path file) throws IOException {
        Files.write(file, "0;chunk-signature=0000\r\n\r\n".getBytes(), StandardOpenOption.APPEND);
    }

    private static void flipLastBytes(Path file) throws IOException {
        TestImages.flipByte(file, Files.size(file) - 40);
    }

    private Manifest backup(Store store, long seed) throws Exception {
        return StoreFixture.backup(store, "web01", TestImages.mixed(dir.resolve("web-" + seed + ".img"), 3 << 20, 60_000, seed));
    }

    /** The run with the fault fails on that object only; a run without it completes the bucket. */
    private void failsThenRepairs(String bucket, Predicate<String> which, Tamper.Change change, String expectedProblem)
            throws Exception {
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small())) {
            Manifest m = backup(src, 41);
            Tamper tamper = new Tamper(bucket, which, change);
            try (S3Target t = new S3Target(TestS3.settings(server, bucket), tamper)) {
                ReplicationReport r = new Replicator(src, t).run(Progress.none());
                String key = tamper.tampered.get();
                assertThat(key).as("an upload was tampered with").isNotNull();
                assertThat(r.ok()).isFalse();
                assertThat(String.join("\n", r.failures())).contains(key + " does not read back as sent").contains(expectedProblem)
                        .contains("removed from the bucket");
                assertThat(t.exists(key)).as("the bad copy is removed").isFalse();
                assertThat(new BucketReader(t).restorePoints()).as("no manifest that needs it went up").doesNotContain(m.id());
            }
            try (S3Target t = new S3Target(TestS3.settings(server, bucket))) {
                ReplicationReport again = new Replicator(src, t).run(Progress.none());
                assertThat(again.ok()).as(again.failures().toString()).isTrue();
                assertThat(again.uploadedPacks()).as("only the pack refused is sent again").isEqualTo(1);
                assertThat(again.uploadedManifests()).isEqualTo(1);
                assertThat(new BucketVerifier(t).run(Progress.none()).ok()).isTrue();
                Path site = dir.resolve("site");
                assertThat(new BucketReader(t).mirrorTo(site, Progress.none()).refused()).isEmpty();
                try (Store mirrored = Store.open(site)) {
                    Path out = StoreFixture.restore(mirrored, mirrored.manifest(m.id()), "vda", dir.resolve("restored.img"));
                    assertThat(TestImages.sha256(out)).isEqualTo(TestImages.sha256(dir.resolve("web-41.img")));
                }
            }
        }
    }

    @Test
    void aPackStoredLongerThanSentFailsTheRunAndIsSentAgainByTheNext() throws Exception {
        failsThenRepairs("longer", k -> BucketLayout.packId(k).isPresent(), ReplicationReadBackTest::append,
                "bytes for the");
    }

    @Test
    void aPackWhoseFooterChangedInTheServerIsCaughtAtUpload() throws Exception {
        failsThenRepairs("footer", k -> BucketLayout.packId(k).isPresent(), ReplicationReadBackTest::flipLastBytes,
                "differs from what was sent");
    }

    @Test
    void aManifestStoredAlteredIsRemovedAndSentAgain() throws Exception {
        try (Store src = Store.init(dir.resolve("src"), StoreFixture.small())) {
            Manifest m = backup(src, 42);
            Tamper tamper = new Tamper("manifest", k -> BucketLayout.restorePoint(k).isPresent(), f -> TestImages.flipByte(f, 20));
            try (S3Target t = new S3Target(TestS3.settings(server, "manifest"), tamper)) {
                ReplicationReport r = new Replicator(src, t).run(Progress.none());
                assertThat(r.ok()).isFalse();
                assertThat(String.join("\n", r.failures())).contains(BucketLayout.manifestKey(m.id()) + " does not read back as sent");
                assertThat(new BucketReader(t).restorePoints()).isEmpty();
            }
            try (S3Target t = new S3Target(TestS3.settings(server, "manifest"))) {
                ReplicationReport again = new Replicator(src, t).run(Progress.none());
                assertThat(again.ok()).as(again.failures().toString()).isTrue();
                assertThat(again.uploadedPacks()).as("the packs were confirmed the first time").isZero();
                assertThat(again.uploadedManifests()).isEqualTo(1);
                assertThat(new BucketVerifier(t).run(Progress.none()).ok()).isTrue();
            }
        }
    }

    @Test
    void aMultipartUploadIsReadBackAsWell() throws Exception {
        Path file = dir.resolve("big");
        byte[] data = new byte[(12 << 20) + 5];
        new Random(5).nextBytes(data);
        Files.write(file, data);
        S3Settings settings = TestS3.settings(server, "multipart").withMultipart(5L << 20, 5L << 20);
        Tamper tamper = new Tamper("multipart", k -> k.startsWith("objects/"), ReplicationReadBackTest::flipLastBytes);
        try (S3Target t = new S3Target(settings, tamper)) {
            assertThatThrownBy(() -> t.put("objects/big", file))
                    .isInstanceOf(StoreException.class)
                    .satisfies(e -> assertThat(((StoreException) e).kind()).isEqualTo(StoreException.Kind.CORRUPT))
                    .hasMessageContaining("objects/big does not read back as sent");
            assertThat(t.exists("objects/big")).isFalse();
        }
        try (S3Target t = new S3Target(settings)) {
            assertThat(t.put("objects/big", file)).isEqualTo(data.length);
            assertThat(t.get("objects/big")).isEqualTo(data);
        }
    }

    @Test
    void aChangeInTheFirstBytesIsCaught() throws Exception {
        Path file = dir.resolve("obj");
        byte[] data = new byte[3 << 20];
        new Random(6).nextBytes(data);
        Files.write(file, data);
        Tamper tamper = new Tamper("etag", k -> k.startsWith("objects/"), f -> {
            try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
                raf.seek(100);
                raf.write(data[100] ^ 0x01);
            }
        });
        try (S3Target t = new S3Target(TestS3.settings(server, "etag"), tamper)) {
            assertThatThrownBy(() -> t.put("objects/obj", file)).hasMessageContaining("byte 100 differs from what was sent");
        }
    }

    /**
     * A server whose ETags are MD5s (the probe saw one) and that answers an upload with the MD5 of
     * other bytes stored other bytes, wherever they are. S3Proxy keeps the ETag it computed while
     * storing, so the HEAD's answer is changed here instead of the stored file.
     */
    @Test
    void anEtagThatIsTheMd5OfOtherBytesFailsTheUpload() throws Exception {
        ExecutionInterceptor otherEtag = new ExecutionInterceptor() {
            @Override
            public software.amazon.awssdk.core.SdkResponse modifyResponse(Context.ModifyResponse c, ExecutionAttributes a) {
                if (c.response() instanceof software.amazon.awssdk.services.s3.model.HeadObjectResponse h
                        && c.request() instanceof software.amazon.awssdk.services.s3.model.HeadObjectRequest r
                        && r.key().startsWith("objects/")) {
                    return h.toBuilder().eTag("\"0123456789abcdef0123456789abcdef\"").build();
                }
                return c.response();
            }
        };
        try (S3Target t = new S3Target(TestS3.settings(server, "etag"), otherEtag)) {
            assertThat(t.probe().md5Etags()).as("S3Proxy's ETag of a single PUT is the body's MD5").isTrue();
            assertThatThrownBy(() -> t.put("objects/small", new byte[] {1, 2, 3}))
                    .hasMessageContaining("its ETag 0123456789abcdef0123456789abcdef is not the MD5 of what was sent");
            assertThat(t.exists("objects/small")).isFalse();
        }
    }

    @Test
    void framingOfAStreamingUploadIsNamed() {
        String signed = "20000;chunk-signature=" + "ab".repeat(32) + "\r\n" + "payload";
        assertThat(UploadCheck.framing(signed.getBytes())).contains("aws-chunked framing").contains("20000")
                .contains("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
        assertThat(UploadCheck.framing("20000\r\npayload".getBytes())).contains("trailing checksum");
        assertThat(UploadCheck.framing(new byte[] {'L', 'B', 'P', 'K', 0, 1, 2, 3})).isEmpty();
        assertThat(UploadCheck.framing("cafe is not framing".getBytes())).isEmpty();
    }
}
