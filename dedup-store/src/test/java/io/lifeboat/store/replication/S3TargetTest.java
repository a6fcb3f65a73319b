package io.lifeboat.store.replication;

import io.lifeboat.store.StoreException;
import io.lifeboat.testkit.s3.PutCounter;
import io.lifeboat.testkit.s3.S3ProxyExtension;
import io.lifeboat.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class S3TargetTest {
    static final String BUCKET = "lifeboat";

    @RegisterExtension
    static final S3ProxyExtension server = new S3ProxyExtension(BUCKET);

    @TempDir
    static Path dir;

    @Test
    void putGetRangeListDelete() throws Exception {
        try (S3Target t = new S3Target(TestS3.settings(server, BUCKET))) {
            t.testConnection();
            byte[] data = new byte[100_000];
            new Random(1).nextBytes(data);
            t.put("x/one", data);
            assertThat(t.get("x/one")).isEqualTo(data);
            assertThat(t.getRange("x/one", 10, 20)).isEqualTo(java.util.Arrays.copyOfRange(data, 10, 30));
            assertThat(t.getTail("x/one", data.length, 16)).isEqualTo(java.util.Arrays.copyOfRange(data, data.length - 16, data.length));
            assertThat(t.head("x/one")).contains(100_000L);
            assertThat(t.head("x/none")).isEmpty();
            assertThat(t.list("x/")).containsOnlyKeys("x/one");
            t.delete("x/one");
            assertThat(t.exists("x/one")).isFalse();
        }
    }

    @Test
    void largeFilesGoInPartsAndComeBackWhole() throws Exception {
        Path f = dir.resolve("big");
        byte[] data = new byte[(11 << 20) + 12345];
        new Random(2).nextBytes(data);
        Files.write(f, data);
        PutCounter puts = new PutCounter(ServerProbe.PREFIX);
        try (S3Target t = new S3Target(TestS3.settings(server, BUCKET).withMultipart(5L << 20, 5L << 20), puts)) {
            assertThat(t.put("big", f)).isEqualTo(data.length);
            assertThat(puts.parts()).isEqualTo(3);
            Path back = dir.resolve("back");
            t.download("big", back);
            assertThat(Files.readAllBytes(back)).isEqualTo(data);
        }
    }

    @Test
    void uploadsKeepToTheBandwidthLimit() throws Exception {
        Path f = dir.resolve("limited");
        Files.write(f, new byte[3 << 20]);
        try (S3Target t = new S3Target(TestS3.settings(server, BUCKET).withBandwidth(2L << 20))) {
            long start = System.nanoTime();
            t.put("limited", f);
            // the first second's worth goes at once; the other 1 MiB takes half a second
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(450);
        }
    }

    @Test
    void theServerRefusesABodyThatDoesNotMatchItsChecksum() throws Exception {
        ExecutionInterceptor damage = new ExecutionInterceptor() {
            @Override
            public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest c, ExecutionAttributes a) {
                // as if the body had changed on the way: the MD5 no longer matches it (the probe's object goes intact)
                if (!c.httpRequest().encodedPath().endsWith("/damaged")) {
                    return c.httpRequest();
                }
                return c.httpRequest().toBuilder().putHeader("Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA==").build();
            }
        };
        try (S3Target t = new S3Target(TestS3.settings(server, BUCKET), damage)) {
            assertThatThrownBy(() -> t.put("damaged", new byte[1000]))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("damaged body")
                    .satisfies(e -> assertThat(((StoreException) e).kind()).isEqualTo(StoreException.Kind.CORRUPT));
        }
        try (S3Target t = new S3Target(TestS3.settings(server, BUCKET))) {
            assertThat(t.exists("damaged")).isFalse();
        }
    }

    @Test
    void theServerRefusesABodyThatDoesNotMatchItsSha256() throws Exception {
        ExecutionInterceptor damage = new ExecutionInterceptor() {
            @Override
            public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest c, ExecutionAttributes a) {
                if (!c.httpRequest().encodedPath().endsWith("/damaged-sha")) {
                    return c.httpRequest();
                }
                return c.httpRequest().toBuilder().removeHeader("Content-MD5")
                        .putHeader("x-amz-checksum-sha256", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=").build();
            }
        };
        try (S3Target t = new S3Target(TestS3.settings(server, BUCKET).withMaxAttempts(1), damage)) {
            assertThatThrownBy(() -> t.put("damaged-sha", new byte[1000])).isInstanceOf(StoreException.class);
        }
        try (S3Target t = new S3Target(TestS3.settings(server, BUCKET))) {
            assertThat(t.exists("damaged-sha")).isFalse();
        }
    }

    @Test
    void wrongCredentialsAreNamed() {
        try (S3Target t = new S3Target(TestS3.settings(server, BUCKET).withCredentials(S3ProxyServer.IDENTITY, "wrong-secret"))) {
            assertThatThrownBy(t::testConnection)
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("access denied")
                    .hasMessageContaining("check the access key, the secret key");
        }
        try (S3Target t = new S3Target(TestS3.settings(server, BUCKET).withCredentials("nobody", "wrong-secret"))) {
            assertThatThrownBy(t::testConnection).hasMessageContaining("access denied");
        }
    }

    @Test
    void aMissingBucketIsNamed() {
        try (S3Target t = new S3Target(TestS3.settings(server, "no-such-bucket"))) {
            assertThatThrownBy(t::testConnection)
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("bucket 'no-such-bucket'")
                    .hasMessageContaining("does not exist")
                    .satisfies(e -> assertThat(((StoreException) e).kind()).isEqualTo(StoreException.Kind.NOT_FOUND));
        }
    }

    @Test
    void anEndpointThatIsDownIsNamed() throws Exception {
        S3Settings down = S3Settings.compatible(java.net.URI.create("http://127.0.0.1:1"), BUCKET,
                S3ProxyServer.IDENTITY, S3ProxyServer.CREDENTIAL).withMaxAttempts(1);
        try (S3Target t = new S3Target(down)) {
            assertThatThrownBy(t::testConnection)
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("cannot reach http://127.0.0.1:1");
        }
    }
}
