package io.lifeboat.store.replication;

import io.lifeboat.store.cli.CliRunner;
import io.lifeboat.store.cli.CliRunner.Result;
import io.lifeboat.cli.ExitCode;
import io.lifeboat.testkit.TestImages;
import io.lifeboat.testkit.s3.S3ProxyExtension;
import io.lifeboat.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code lifeboat-store replicate} and {@code mirror}: a recovery site that knows only the bucket. */
class ReplicationCliTest {
    @RegisterExtension
    static final S3ProxyExtension server = new S3ProxyExtension("site");

    @TempDir
    Path dir;

    private List<String> bucket(String name, String secret) {
        return List.of("--endpoint", server.endpoint().toString(), "--bucket", name,
                "--access-key", S3ProxyServer.IDENTITY, "--secret-key", secret);
    }

    private Result run(Path store, List<String> bucket, String... verb) {
        List<String> args = new ArrayList<>(List.of(verb));
        args.addAll(bucket);
        return CliRunner.run(store, args.toArray(String[]::new));
    }

    @Test
    void replicateThenMirrorAtARecoverySiteRestoresBitExact() throws Exception {
        Path store = dir.resolve("store");
        Path image = TestImages.mixed(dir.resolve("web01.raw"), 5 << 20, 80_000, 21);
        assertThat(CliRunner.run(store, "init", "--chunk-size", "64K", "--pack-size", "1M").exit()).isZero();
        assertThat(CliRunner.run(store, "backup", "--vm", "web01", image.toString()).exit()).isZero();
        String id = CliRunner.run(store, "--json", "list").json().get(0).get("id").asText();

        Result first = run(store, bucket("site", S3ProxyServer.CREDENTIAL), "--json", "replicate");
        assertThat(first.exit()).as("%s", first).isZero();
        assertThat(first.json().get("uploadedPacks").asInt()).isPositive();
        assertThat(first.json().get("uploadedManifests").asInt()).isEqualTo(1);
        assertThat(first.json().get("ok").asBoolean()).isTrue();
        Result again = run(store, bucket("site", S3ProxyServer.CREDENTIAL), "--json", "replicate");
        assertThat(again.json().get("uploadedPacks").asInt()).isZero();
        assertThat(again.json().get("uploadedManifests").asInt()).isZero();

        Path recovery = dir.resolve("recovery-site");
        Result mirror = run(recovery, bucket("site", S3ProxyServer.CREDENTIAL), "--json", "mirror");
        assertThat(mirror.exit()).as("%s", mirror).isZero();
        assertThat(mirror.json().get("downloadedManifests").asInt()).isEqualTo(1);
        assertThat(CliRunner.run(recovery, "--json", "list").json().get(0).get("id").asText()).isEqualTo(id);
        Path restored = dir.resolve("restored.raw");
        assertThat(CliRunner.run(recovery, "restore", id, restored.toString()).exit()).isZero();
        assertThat(TestImages.sha256(restored)).isEqualTo(TestImages.sha256(image));
        assertThat(CliRunner.run(recovery, "verify").exit()).isZero();
    }

    @Test
    void badCredentialsAndAMissingBucketAreOneClearErrorEach() throws Exception {
        Path store = dir.resolve("store");
        assertThat(CliRunner.run(store, "init").exit()).isZero();

        Result wrong = run(store, bucket("site", "not-the-secret"), "replicate");
        assertThat(wrong.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(wrong.err()).startsWith("lifeboat-store: ").contains("access denied").doesNotContain("Exception");

        Result missing = run(dir.resolve("elsewhere"), bucket("no-such-bucket", S3ProxyServer.CREDENTIAL), "mirror");
        assertThat(missing.exit()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(missing.err()).contains("bucket 'no-such-bucket'").contains("does not exist");
        assertThat(dir.resolve("elsewhere")).doesNotExist();
    }

    @Test
    void testBucketSaysHowUploadsAreEncodedAndABadEncodingIsAUsageError() throws Exception {
        Path store = dir.resolve("store");
        Result test = run(store, bucket("site", S3ProxyServer.CREDENTIAL), "test-bucket");
        assertThat(test.exit()).as("%s", test).isZero();
        assertThat(test.out()).contains("bucket 'site'").contains(": OK")
                .contains("uploads: payload=signed sha256-header=send sdk-checksums=when-required");
        Result json = run(store, bucket("site", S3ProxyServer.CREDENTIAL), "--json", "test-bucket");
        assertThat(json.json().get("chosen").get("payload").asText()).isEqualTo("SIGNED");

        List<String> bad = new ArrayList<>(bucket("site", S3ProxyServer.CREDENTIAL));
        bad.addAll(List.of("--payload-signing", "chunky"));
        Result refused = run(store, bad, "replicate");
        assertThat(refused.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(refused.err()).contains("payload signing must be auto, signed, unsigned or streaming, got 'chunky'");
        assertThat(store).as("nothing was created").doesNotExist();
    }
}
