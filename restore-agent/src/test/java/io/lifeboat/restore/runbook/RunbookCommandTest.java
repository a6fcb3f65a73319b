package io.lifeboat.restore.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import io.lifeboat.cli.ExitCode;
import io.lifeboat.restore.agent.RestoreAgent;
import io.lifeboat.store.replication.S3Settings;
import io.lifeboat.store.replication.S3Target;
import io.lifeboat.testkit.s3.S3ProxyServer;
import io.lifeboat.testkit.ConsoleCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code restore-agent runbook check FILE}: the run order, or each problem as FILE:LINE:COLUMN. */
class RunbookCommandTest {

    @TempDir
    Path dir;

    @Test
    void checksAFileWithNothingElse() throws Exception {
        Path good = Files.writeString(dir.resolve("good.yaml"), """
                runbook: shop
                groups:
                  - name: web
                    after: [db]
                    vms: [{vm: web01}, {vm: web02}]
                  - name: db
                    vms: [{vm: pg01}]
                """);
        ConsoleCapture.Run ok = ConsoleCapture.run(() -> RestoreAgent.run("runbook", "check", good.toString()));
        assertThat(ok.exit()).as(ok.err()).isEqualTo(ExitCode.OK);
        assertThat(ok.out()).isEqualTo("shop: 3 VM(s) in 2 group(s), in this order:\n  db: pg01\n  web: web01, web02\n");

        Path bad = Files.writeString(dir.resolve("bad.yaml"), "runbook: shop\ngroups:\n  - name: web\n    vms: [{vm: web01, cpus: 2}]\n");
        ConsoleCapture.Run refused = ConsoleCapture.run(() -> RestoreAgent.run("runbook", "check", bad.toString()));
        assertThat(refused.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(refused.err()).startsWith(bad + ":4:23: unknown key cpus in a VM");

        ConsoleCapture.Run missing = ConsoleCapture.run(() -> RestoreAgent.run("runbook", "check",
                dir.resolve("none.yaml").toString()));
        assertThat(missing.exit()).isEqualTo(ExitCode.NOT_FOUND);
        ConsoleCapture.Run unknown = ConsoleCapture.run(() -> RestoreAgent.run("runbook", "start", good.toString()));
        assertThat(unknown.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(unknown.err()).contains("unknown action start");
        ConsoleCapture.Run noBucket = ConsoleCapture.run(() -> RestoreAgent.run("runbook", "list"));
        assertThat(noBucket.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(noBucket.err()).contains("give --bucket");
    }

    @Test
    void aRecoverySiteWithTheBucketAloneHasTheRunbooks() throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.start(dir.resolve("s3"), "dr-site");
             S3Target target = new S3Target(S3Settings.of(s3.endpoint(), s3.region(), "dr-site", s3.accessKey(), s3.secretKey()))) {
            String v1 = "runbook: shop\ngroups:\n  - name: all\n    vms: [{vm: web01}]\n";
            String v2 = v1 + "# two\n";
            BucketRunbooks bucket = new BucketRunbooks(target);
            assertThat(bucket.upload("shop", 1, v1, bucket.list())).isTrue();
            assertThat(bucket.upload("shop", 2, v2, bucket.list())).isTrue();
            assertThat(bucket.upload("shop", 2, v2, bucket.list())).as("there already").isFalse();
            String[] at = {"--bucket", "dr-site", "--endpoint", s3.endpoint().toString(), "--access-key", S3ProxyServer.IDENTITY,
                    "--secret-key", S3ProxyServer.CREDENTIAL};

            assertThat(agent(at, "runbook", "list").out()).isEqualTo("shop  version 2 (2 versions)\n");
            assertThat(agent(at, "runbook", "get", "shop").out()).isEqualTo(v2);
            Path first = dir.resolve("shop-1.yaml");
            agent(at, "runbook", "get", "shop", "--runbook-version", "1", "-o", first.toString());
            assertThat(Files.readString(first)).isEqualTo(v1);
            ConsoleCapture.Run none = run(at, "runbook", "get", "nope");
            assertThat(none.exit()).isEqualTo(ExitCode.NOT_FOUND);
            assertThat(none.err()).contains("no runbook nope");

            // checked against the bucket: web01 has no restore point there
            ConsoleCapture.Run unknownVm = run(at, "runbook", "check", first.toString());
            assertThat(unknownVm.exit()).isEqualTo(ExitCode.USAGE);
            assertThat(unknownVm.err()).isEqualTo(first + ":4:16: VM web01 has no restore point to come back from\n");
        }
    }

    private static ConsoleCapture.Run agent(String[] at, String... verb) {
        ConsoleCapture.Run r = run(at, verb);
        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.OK);
        return r;
    }

    private static ConsoleCapture.Run run(String[] at, String... verb) {
        String[] args = new String[at.length + verb.length];
        System.arraycopy(at, 0, args, 0, at.length);
        System.arraycopy(verb, 0, args, at.length, verb.length);
        return ConsoleCapture.run(() -> RestoreAgent.run(args));
    }
}
