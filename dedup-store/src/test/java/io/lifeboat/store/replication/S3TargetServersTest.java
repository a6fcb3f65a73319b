package io.lifeboat.store.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import io.lifeboat.testkit.s3.S3ServersExtension;
import io.lifeboat.testkit.s3.S3TestServer;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The public {@link S3Target} API against every S3 test server (S3Proxy, S3Mock, s3rver): what is
 * put is what is read back, whole and in ranges, for a small object (one PUT) and for a file above
 * the multipart threshold (16 MiB: three 8 MiB parts).
 *
 * <p>s3rver 3.7.1 is the one that needs what S3Target does beyond the SDK's defaults: it stores a
 * streaming (aws-chunked) upload's frames instead of the body, so uploads go signed and unencoded
 * (the probe finds it out), and it answers a suffix range {@code bytes=-N} with the first N+1
 * bytes, so tails are asked for as explicit ranges.
 */
class S3TargetServersTest {
    private static final String BUCKET = "smoke";

    @RegisterExtension
    static final S3ServersExtension SERVERS = new S3ServersExtension(BUCKET);

    static Stream<Named<S3TestServer>> servers() {
        return SERVERS.named();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void smallObjectReadsBackAsSent(S3TestServer server) throws Exception {
        byte[] sent = random(300 << 10, 1);
        String key = "small/object";
        try (S3Target target = new S3Target(TestS3.settings(server, BUCKET))) {
            target.put(key, sent);

            assertThat(target.head(key)).contains((long) sent.length);
            assertSameBytes("get", sent, target.get(key));
            assertSameBytes("getRange(1000, 5000)", Arrays.copyOfRange(sent, 1000, 6000), target.getRange(key, 1000, 5000));
            assertSameBytes("getTail(4096)", Arrays.copyOfRange(sent, sent.length - 4096, sent.length),
                    target.getTail(key, sent.length, 4096));
            assertThat(target.list("small/")).containsExactly(Map.entry(key, (long) sent.length));

            target.delete(key);
            assertThat(target.head(key)).isEmpty();
            assertThat(target.list("small/")).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void multipartFileReadsBackAsSent(S3TestServer server, @TempDir Path tmp) throws Exception {
        byte[] sent = random(20 << 20, 2);
        Path file = Files.write(tmp.resolve("pack"), sent);
        String key = "big/object";
        try (S3Target target = new S3Target(TestS3.settings(server, BUCKET))) {
            assertThat(target.put(key, file)).isEqualTo(sent.length);

            assertThat(target.head(key)).contains((long) sent.length);
            assertSameBytes("get", sent, target.get(key));
            int boundary = 8 << 20;
            assertSameBytes("getRange across the first part boundary", Arrays.copyOfRange(sent, boundary - 100, boundary + 100),
                    target.getRange(key, boundary - 100, 200));
            assertSameBytes("getTail(4096)", Arrays.copyOfRange(sent, sent.length - 4096, sent.length),
                    target.getTail(key, sent.length, 4096));
            assertThat(target.list("big/")).containsExactly(Map.entry(key, (long) sent.length));

            target.delete(key);
            assertThat(target.head(key)).isEmpty();
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Equal bytes; if not, says how (sizes, first difference, what the server's bytes start with), not 20 MiB of hex. */
    private static void assertSameBytes(String what, byte[] expected, byte[] actual) {
        assertThat(Arrays.equals(expected, actual))
                .as(() -> what + ": read " + actual.length + " bytes, sent " + expected.length + "; first difference at offset "
                        + Arrays.mismatch(expected, actual) + "; read starts with \"" + printable(actual) + "\"")
                .isTrue();
    }

    private static String printable(byte[] b) {
        String s = new String(b, 0, Math.min(80, b.length), StandardCharsets.ISO_8859_1);
        return s.replaceAll("[^\\x20-\\x7e]", ".");
    }
}
