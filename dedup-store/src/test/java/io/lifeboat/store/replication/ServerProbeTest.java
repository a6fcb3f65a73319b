package io.lifeboat.store.replication;

import io.lifeboat.store.StoreException;
import io.lifeboat.testkit.s3.S3ProxyExtension;
import io.lifeboat.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The probe that chooses how uploads are encoded, against a real S3Proxy: the best candidate is
 * kept when the server stores it exactly, the next one when the server refuses it, nothing is left
 * in the bucket, and a server that takes no candidate fails with what each one did.
 */
class ServerProbeTest {
    @RegisterExtension
    static final S3ProxyExtension server = new S3ProxyExtension("probed", "nosha");

    /** A server that refuses x-amz-checksum-sha256: the header arrives damaged, so S3Proxy answers 400. */
    private static final class RefusesSha256 implements ExecutionInterceptor {
        final AtomicInteger withHeader = new AtomicInteger();

        @Override
        public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest c, ExecutionAttributes a) {
            if (c.httpRequest().firstMatchingHeader("x-amz-checksum-sha256").isEmpty()) {
                return c.httpRequest();
            }
            withHeader.incrementAndGet();
            return c.httpRequest().toBuilder()
                    .putHeader("x-amz-checksum-sha256", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=").build();
        }
    }

    @Test
    void signedPayloadsWithOurSha256AreChosenWhereTheServerStoresThem() throws Exception {
        try (S3Target t = new S3Target(TestS3.settings(server, "probed"))) {
            S3Target.Probe p = t.probe();
            assertThat(p.chosen()).isEqualTo(S3Compatibility.SIGNED);
            assertThat(p.attempts()).hasSize(1);
            assertThat(p.md5Etags()).isTrue();
            assertThat(t.probe()).as("once per target").isSameAs(p);
            assertThat(t.list("")).as("the probe object is gone").isEmpty();
        }
    }

    @Test
    void aServerThatRefusesTheSha256HeaderGetsUploadsWithoutIt() throws Exception {
        RefusesSha256 refuses = new RefusesSha256();
        try (S3Target t = new S3Target(TestS3.settings(server, "nosha"), refuses)) {
            S3Target.Probe p = t.probe();
            assertThat(p.chosen().describe()).isEqualTo("payload=signed sha256-header=omit sdk-checksums=when-required");
            assertThat(p.attempts()).hasSize(2);
            assertThat(p.attempts().get(0).problem()).contains("uploading " + ServerProbe.PREFIX).contains("BadDigest");
            assertThat(p.summary()).contains("payload=signed sha256-header=send sdk-checksums=when-required refused");
            int probing = refuses.withHeader.get();
            t.put("objects/a", new byte[] {1, 2, 3});
            assertThat(t.get("objects/a")).containsExactly(1, 2, 3);
            assertThat(refuses.withHeader.get()).as("uploads no longer carry the header").isEqualTo(probing);
        }
    }

    @Test
    void aServerThatTakesNoCandidateFailsWithWhatEachOneDid() {
        S3Settings onlySha = TestS3.settings(server, "nosha").withCompatibility(S3Compatibility.parse("auto", "send", null));
        try (S3Target t = new S3Target(onlySha, new RefusesSha256())) {
            assertThatThrownBy(t::probe)
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("no way of uploading to bucket 'nosha'")
                    .hasMessageContaining("(probed 2)")
                    .hasMessageContaining("[payload=signed sha256-header=send sdk-checksums=when-required]")
                    .hasMessageContaining("[payload=streaming sha256-header=send sdk-checksums=when-required]");
            assertThatThrownBy(() -> t.put("objects/b", new byte[1])).hasMessageContaining("no way of uploading");
        }
    }

    @Test
    void wrongCredentialsAreAccessDeniedNotAnEncodingProblem() {
        try (S3Target t = new S3Target(TestS3.settings(server, "probed").withCredentials(S3ProxyServer.IDENTITY, "wrong"))) {
            assertThatThrownBy(t::probe).hasMessageContaining("access denied").hasMessageNotContaining("no way of uploading");
        }
    }
}
