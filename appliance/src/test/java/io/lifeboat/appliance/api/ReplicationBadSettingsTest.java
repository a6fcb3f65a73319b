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

/** Wrong credentials: a clear answer from the connection test, failed replication jobs, and backups that still work. */
class ReplicationBadSettingsTest extends LibvirtAppliance {
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    static S3ProxyServer s3;

    @DynamicPropertySource
    static void bucket(DynamicPropertyRegistry registry) throws Exception {
        s3 = TestBuckets.replicateTo(registry, "site-c", "not-the-secret");
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    @Test
    void wrongCredentialsAreSaidClearlyAndLocalBackupsGoOn() throws Exception {
        JsonNode test = admin().post("/api/replication/test").body();
        assertThat(test.path("ok").asBoolean()).isFalse();
        assertThat(test.path("message").asString()).contains("access denied");

        String vm = defineVm("replbad", 2 * TestVms.MIB);
        assertThat(admin().post("/api/vms/" + vm + "/start").status()).isEqualTo(200);
        JsonNode backup = awaitJob(admin().post("/api/vms/" + vm + "/backups").body().path("jobId").asString(), DEADLINE);
        assertThat(backup.path("state").asString()).as(backup.toString()).isEqualTo("SUCCEEDED");

        JsonNode job = awaitJob(startReplication(DEADLINE), DEADLINE);
        assertThat(job.path("state").asString()).isEqualTo("FAILED");
        assertThat(job.path("error").asString()).contains("access denied");
    }
}
