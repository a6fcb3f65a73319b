package io.lifeboat.appliance.api;

import io.lifeboat.appliance.TestBuckets;
import io.lifeboat.appliance.TestDirectories;
import io.lifeboat.appliance.inventory.TestVms;
import io.lifeboat.testkit.s3.FaultProxy;
import io.lifeboat.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bucket's endpoint fails every request (HTTP 500 through a proxy) while a backup is taken:
 * the backup succeeds, replication fails with a clear error, and once the endpoint answers again
 * the schedule catches up without anyone asking.
 */
class ReplicationCatchUpTest extends LibvirtAppliance {
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    static S3ProxyServer s3;
    static FaultProxy proxy;
    static FaultProxy.Injection outage;

    @DynamicPropertySource
    static void bucket(DynamicPropertyRegistry registry) throws Exception {
        s3 = S3ProxyServer.start(TestDirectories.removedAtExit("lifeboat-s3"), "site-d");
        proxy = FaultProxy.start(s3.endpoint());
        outage = proxy.outage(FaultProxy.Fault.INTERNAL_ERROR, r -> true);
        TestBuckets.register(registry, proxy.endpoint(), "site-d", S3ProxyServer.CREDENTIAL);
        registry.add("lifeboat.replication.every", () -> "2s");
    }

    @AfterAll
    static void stopS3() throws Exception {
        proxy.close();
        s3.close();
    }

    @Test
    void backupsGoOnWhileTheBucketFailsAndTheScheduleCatchesUp() throws Exception {
        JsonNode test = admin().post("/api/replication/test").body();
        assertThat(test.path("ok").asBoolean()).isFalse();
        assertThat(test.path("message").asString()).contains("500");

        String vm = defineVm("catchup", 2 * TestVms.MIB);
        assertThat(admin().post("/api/vms/" + vm + "/start").status()).isEqualTo(200);
        JsonNode backup = awaitJob(admin().post("/api/vms/" + vm + "/backups").body().path("jobId").asString(), DEADLINE);
        assertThat(backup.path("state").asString()).as(backup.toString()).isEqualTo("SUCCEEDED");
        String restorePoint = backup.path("restorePoint").asString();

        JsonNode failed = awaitLast(last -> last.path("state").asString().equals("FAILED"), "a failed run");
        assertThat(failed.path("error").asString()).contains("500");
        assertThat(admin().get("/api/replication").body().path("vms").path(vm).path("newestInBucket").isNull()).isTrue();

        outage.stop();
        awaitLast(last -> last.path("state").asString().equals("SUCCEEDED"), "a scheduled run to succeed");
        assertThat(admin().get("/api/replication").body().path("vms").path(vm).path("newestInBucket").asString())
                .isEqualTo(restorePoint);
        assertThat(admin().post("/api/replication/test").body().path("ok").asBoolean()).isTrue();
    }

    /** Polls the latest finished replication run until it matches; no one starts a run meanwhile. */
    private JsonNode awaitLast(java.util.function.Predicate<JsonNode> until, String what) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            JsonNode last = admin().get("/api/replication").body().path("last");
            if (!last.isMissingNode() && !last.isNull() && until.test(last)) {
                return last;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + DEADLINE.toSeconds() + " s: " + last);
            }
            Thread.sleep(200);
        }
    }
}
