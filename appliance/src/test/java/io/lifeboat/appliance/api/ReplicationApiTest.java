package io.lifeboat.appliance.api;

import io.lifeboat.appliance.TestBuckets;
import io.lifeboat.appliance.inventory.TestVms;
import io.lifeboat.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The appliance replicating to a real S3Proxy: after each backup, on demand, with per-VM lag. */
class ReplicationApiTest extends LibvirtAppliance {
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    static S3ProxyServer s3;

    @DynamicPropertySource
    static void bucket(DynamicPropertyRegistry registry) throws Exception {
        s3 = TestBuckets.replicateTo(registry, "site-b", S3ProxyServer.CREDENTIAL);
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    @Test
    void eachBackupIsReplicatedAndTheLagIsReported() throws Exception {
        JsonNode test = admin().post("/api/replication/test").body();
        assertThat(test.path("ok").asBoolean()).as(test.toString()).isTrue();
        assertThat(test.path("uploads").asString()).as("what the probe chose")
                .isEqualTo("payload=signed sha256-header=send sdk-checksums=when-required");
        assertThat(test.path("message").asString()).contains("stores what is sent intact");
        assertThat(admin().get("/api/replication").body().path("uploads").asString()).as("as configured")
                .isEqualTo("payload=auto sha256-header=auto sdk-checksums=when-required");

        String vm = defineVm("repl", 4 * TestVms.MIB);
        assertThat(admin().post("/api/vms/" + vm + "/start").status()).isEqualTo(200);
        JsonNode backup = awaitJob(admin().post("/api/vms/" + vm + "/backups").body().path("jobId").asString(), DEADLINE);
        assertThat(backup.path("state").asString()).as(backup.toString()).isEqualTo("SUCCEEDED");
        String restorePoint = backup.path("restorePoint").asString();

        // after-backup replication: the restore point shows up in the bucket, with its lag
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        JsonNode lag;
        do {
            JsonNode status = admin().get("/api/replication").body();
            assertThat(status.path("configured").asBoolean()).isTrue();
            assertThat(status.path("pruneGrace").asString()).isEqualTo("PT24H");
            assertThat(status.toString()).doesNotContain(S3ProxyServer.CREDENTIAL);
            lag = status.path("vms").path(vm);
            if (System.nanoTime() > deadline) {
                throw new AssertionError("restore point " + restorePoint + " not in the bucket: " + status);
            }
            Thread.sleep(100);
        } while (!restorePoint.equals(lag.path("newestInBucket").asString()));
        assertThat(lag.path("lagSeconds").asLong()).isBetween(0L, DEADLINE.toSeconds());
        assertThat(lag.path("checkedAt").isMissingNode()).isFalse();
        assertThat(admin().get("/api/restore-points/" + restorePoint).body().path("replicated").asBoolean())
                .as("the restore point says it is in the bucket").isTrue();

        // the same lag for Prometheus, one series per VM
        ApiClient.Reply scrape = admin().get("/actuator/prometheus");
        assertThat(scrape.status()).isEqualTo(200);
        assertThat(scrape.text()).containsPattern("lifeboat_replication_lag_seconds\\{[^}]*vm=\"" + vm + "\"[^}]*} \\d");
        assertThat(scrape.text()).containsPattern("lifeboat_replication_uploaded_bytes_total(\\{[^}]*})? [1-9]");
        assertThat(anonymous().get("/actuator/prometheus").status()).isEqualTo(401);

        // on demand: nothing new to send
        JsonNode job = awaitJob(startReplication(DEADLINE), DEADLINE);
        assertThat(job.path("kind").asString()).isEqualTo("REPLICATION");
        assertThat(job.path("state").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        JsonNode last = admin().get("/api/replication").body().path("last");
        assertThat(last.path("job").asString()).isEqualTo(job.path("id").asString());
        assertThat(last.path("report").path("uploadedPacks").asInt()).isZero();
        assertThat(last.path("report").path("uploadedManifests").asInt()).isZero();
        assertThat(last.path("report").path("skippedManifests").asInt()).isPositive();
        assertThat(last.path("state").asString()).isEqualTo("SUCCEEDED");
    }

    @Test
    void runbooksGoToTheBucketBesideTheRestorePointsEveryVersionAsStored() throws Exception {
        String vm = defineVm("repl-rb", 4 * TestVms.MIB);
        assertThat(backUp(vm)).isNotBlank();
        String name = "rb-" + vm.substring(vm.lastIndexOf('-') + 1);
        String v1 = "runbook: " + name + "\ngroups:\n  - name: all\n    vms: [{vm: " + vm + "}]\n";
        String v2 = v1 + "# version two: a comment is kept too\n";
        assertThat(admin().post("/api/runbooks", "application/yaml", v1).status()).isEqualTo(201);
        assertThat(admin().post("/api/runbooks", "application/yaml", v2).status()).isEqualTo(201);

        JsonNode job = awaitJob(startReplication(DEADLINE), DEADLINE);
        assertThat(job.path("state").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(java.nio.file.Files.readString(s3.objectFile("site-b", "runbooks/" + name + "/000001.yaml"))).isEqualTo(v1);
        assertThat(java.nio.file.Files.readString(s3.objectFile("site-b", "runbooks/" + name + "/000002.yaml"))).isEqualTo(v2);

        // deleted here, kept there: the site that lost this appliance may still need it
        assertThat(admin().delete("/api/runbooks/" + name).status()).isEqualTo(204);
        job = awaitJob(startReplication(DEADLINE), DEADLINE);
        assertThat(job.path("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(s3.objectFile("site-b", "runbooks/" + name + "/000002.yaml")).exists();
    }

    @Test
    void replicationNeedsAuthentication() throws Exception {
        assertThat(anonymous().get("/api/replication").status()).isEqualTo(401);
        assertThat(anonymous().post("/api/replication").status()).isEqualTo(401);
    }
}
