package io.lifeboat.appliance.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.lifeboat.appliance.TestBuckets;
import io.lifeboat.appliance.inventory.TestVms;
import io.lifeboat.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** The replication page against a real S3Proxy: settings without the secret, test connection, run now, lag per VM. */
class ReplicationBrowserTest extends ConsoleTest {

    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final String BUCKET = "console-site-b";
    static S3ProxyServer s3;

    @DynamicPropertySource
    static void bucket(DynamicPropertyRegistry registry) throws Exception {
        s3 = TestBuckets.replicateTo(registry, BUCKET, S3ProxyServer.CREDENTIAL);
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    @Test
    void settingsTestConnectionRunNowAndLag() throws Exception {
        String vm = defineVm("replpage", 4 * TestVms.MIB, 0x6b);
        String point = backUp(vm);
        awaitInBucket(vm, point);

        browser.page("#/replication");
        assertThat(browser.text(By.cssSelector("[data-testid=bucket]"))).isEqualTo(BUCKET);
        assertThat(browser.text(By.cssSelector("[data-testid=access-key]"))).isEqualTo(S3ProxyServer.IDENTITY);
        assertThat(browser.driver().getPageSource()).doesNotContain(S3ProxyServer.CREDENTIAL);

        browser.click(By.cssSelector("[data-testid=test-connection]"));
        browser.find(By.cssSelector("[data-testid=test-result][data-ok=true]"));
        assertThat(browser.text(By.cssSelector("[data-testid=test-result]"))).contains("stores what is sent intact");

        browser.click(By.cssSelector("[data-testid=run-replication]"));
        browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[data-testid=run-job][data-state=SUCCEEDED]")), DEADLINE);
        JsonNode status = admin().get("/api/replication").body();
        String job = status.path("last").path("job").asString();
        assertThat(status.path("last").path("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(browser.find(By.cssSelector("[data-testid=run-job] a")).getAttribute("href")).endsWith("#/jobs/" + job);

        // the lag of the VM, as a duration a person reads, and its restore point among those in the bucket
        By lag = By.cssSelector("[data-testid=lag][data-vm='" + vm + "']");
        browser.await(d -> browser.text(lag).matches("\\d+ ms|\\d+\\.\\d s|\\d+ min \\d\\d s"));
        browser.find(By.cssSelector("a[href='#/points/" + point + "']"));
        assertThat(browser.driver().getPageSource()).doesNotContain(S3ProxyServer.CREDENTIAL);
        browser.screenshot("replication");

        assertThat(admin().get("/api/audit?action=replication.start").text()).contains("job " + job);
        assertThat(browser.errors()).isEmpty();
    }

    /** The replication after the backup: waited for, so that run now is not refused as already running. */
    private void awaitInBucket(String vm, String point) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            JsonNode status = admin().get("/api/replication").body();
            boolean idle = status.path("running").isNull() || status.path("running").isMissingNode();
            if (idle && point.equals(status.path("vms").path(vm).path("newestInBucket").asString())) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(point + " not in the bucket after " + DEADLINE.toSeconds() + " s: " + status);
            }
            Thread.sleep(100);
        }
    }
}
