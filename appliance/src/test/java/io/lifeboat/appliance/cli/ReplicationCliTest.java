package io.lifeboat.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.appliance.TestBuckets;
import io.lifeboat.appliance.api.CatalogedBackups;
import io.lifeboat.appliance.catalog.RestorePointRepository;
import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The replication verbs against an appliance replicating to a real S3Proxy: the status before
 * and after a run, a run followed to SUCCEEDED, and the connection test.
 */
class ReplicationCliTest extends CliHarness {
    static S3ProxyServer s3;

    @DynamicPropertySource
    static void bucket(DynamicPropertyRegistry registry) throws Exception {
        s3 = TestBuckets.replicateTo(registry, "cli-site", S3ProxyServer.CREDENTIAL);
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    @Autowired
    ChunkStore chunkStore;

    @Autowired
    RestorePointRepository catalog;

    @TempDir
    Path dir;

    @Test
    void statusRunAndTest() throws Exception {
        RestorePointId rp = CatalogedBackups.backUp(chunkStore, catalog, dir, "clirepl01");

        Run before = lifeboat("replication");
        assertThat(before.exitCode()).as(before.err()).isZero();
        assertThat(before.out()).contains("bucket:", "cli-site", "endpoint:", s3.endpoint().toString(),
                "running: no", "last run: never");
        assertThat(row(before.out(), "clirepl01")).contains("(none)");
        assertThat(before.out() + lifeboat("replication", "--json").out()).doesNotContain(S3ProxyServer.CREDENTIAL);

        Run test = lifeboat("replication", "test");
        assertThat(test.exitCode()).as(test.err()).isZero();
        assertThat(test.out().strip()).isEqualTo("bucket 'cli-site' answers, accepts our credentials and stores what is sent intact;"
                + " uploads use payload=signed sha256-header=send sdk-checksums=when-required");
        assertThat(lifeboat("replication", "test", "--json").json().path("ok").asBoolean()).isTrue();

        Run run = lifeboat("replication", "run");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("replicated (job ").contains("and 1 restore point(s)");
        String jobId = run.out().substring("replicated (job ".length(), run.out().indexOf(')'));
        JsonNode job = lifeboat("job", "show", jobId, "--json").json();
        assertThat(job.path("kind").asText()).isEqualTo("REPLICATION");
        assertThat(job.path("state").asText()).isEqualTo("SUCCEEDED");

        Run after = lifeboat("replication");
        assertThat(after.out()).contains("last run: SUCCEEDED at ", "(job " + jobId + ")", "uploaded ");
        assertThat(row(after.out(), "clirepl01")).contains(rp.toString());
        JsonNode status = lifeboat("replication", "--json").json();
        assertThat(status.path("vms").path("clirepl01").path("newestInBucket").asText()).isEqualTo(rp.toString());
        assertThat(status.path("last").path("job").asText()).isEqualTo(jobId);

        // nothing new: the run uploads nothing and says what it found
        Run again = lifeboat("replication", "run", "--json");
        assertThat(again.exitCode()).as(again.err()).isZero();
        JsonNode last = again.json();
        assertThat(last.path("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(last.path("report").path("uploadedManifests").asInt()).isZero();
        assertThat(last.path("report").path("skippedManifests").asInt()).isPositive();

        Run noWait = runWhenIdle();
        assertThat(noWait.exitCode()).as(noWait.err()).isZero();
        assertThat(noWait.out().strip()).matches("[0-9a-f-]{36}");
        awaitEnd(noWait.out().strip());
    }

    /**
     * {@code replication run --no-wait} once the previous run has let go: the appliance marks a
     * job SUCCEEDED a moment before it takes the next run, and answers 409 in between.
     */
    private Run runWhenIdle() throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (true) {
            if (lifeboat("replication", "--json").json().path("running").isNull()) {
                Run run = lifeboat("replication", "run", "--no-wait");
                if (run.exitCode() != 6 || System.nanoTime() > deadline) {
                    return run;
                }
                assertThat(run.err()).startsWith("lifeboat: not started: a replication is already running");
            }
            Thread.sleep(100); // waiting for the previous run to let go
        }
    }

    private void awaitEnd(String jobId) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            String state = lifeboat("job", "show", jobId, "--json").json().path("state").asText();
            if (state.equals("SUCCEEDED")) {
                return;
            }
            assertThat(state).isIn("QUEUED", "RUNNING");
            Thread.sleep(100); // polling the job, as the CLI itself does
        }
        throw new AssertionError("job " + jobId + " did not end");
    }

    static String row(String table, String key) {
        return table.lines().filter(l -> l.contains(key)).findFirst()
                .orElseThrow(() -> new AssertionError(key + " not in\n" + table));
    }
}
