package io.lifeboat.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.appliance.TestBuckets;
import io.lifeboat.cli.ExitCode;
import io.lifeboat.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The replication verbs when the bucket refuses the appliance's credentials: a clear failure, never exit 0. */
class ReplicationBadCredentialsCliTest extends CliHarness {
    static S3ProxyServer s3;

    @DynamicPropertySource
    static void bucket(DynamicPropertyRegistry registry) throws Exception {
        s3 = TestBuckets.replicateTo(registry, "cli-bad", "not-the-secret");
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    @Test
    void wrongCredentialsFailTheTestAndTheRun() throws Exception {
        Run test = lifeboat("replication", "test");
        assertThat(test.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(test.out()).isEmpty();
        assertThat(test.err()).startsWith("lifeboat: replication test failed: ").contains("access denied");
        assertThat(test.err().lines()).hasSize(1);

        Run json = lifeboat("replication", "test", "--json");
        assertThat(json.exitCode()).isEqualTo(ExitCode.FAILED);
        JsonNode check = json.json();
        assertThat(check.path("ok").asBoolean()).isFalse();
        assertThat(check.path("message").asText()).contains("access denied");

        Run run = lifeboat("replication", "run");
        assertThat(run.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(run.err()).startsWith("lifeboat: replication failed: ").contains("access denied", "(job ");
        assertThat(lifeboat("replication").out()).contains("last run: FAILED at ", "error: ");
    }
}
