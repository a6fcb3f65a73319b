package io.lifeboat.appliance.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.lifeboat.appliance.api.ApiClient;
import io.lifeboat.appliance.inventory.TestVms;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard, the jobs list, a job's page and the audit log in a real browser, against the
 * appliance managing real libvirt VMs. Backups read at {@code READ_LIMIT} bytes/s, so a backup of a
 * fully written 64 MiB disk runs long enough to be watched and cancelled.
 */
class OperationsBrowserTest extends ConsoleTest {

    final List<String> policies = new ArrayList<>();

    @AfterEach
    void removePolicies() throws Exception {
        for (String p : policies) {
            admin().delete("/api/policies/" + p);
        }
    }

    @Test
    void theDashboardSaysWhichVmsAreWithinTheirRpoAndChartsTheStore() throws Exception {
        String ok = defineVm("dash-ok", 2 * TestVms.MIB, 0x41);
        String overdue = defineVm("dash-due", 0);
        String policy = "console-" + ok.substring(ok.length() - 6);
        ApiClient.Reply created = admin().post("/api/policies", JSON, "{\"name\": \"" + policy + "\", \"selection\":"
                + " {\"names\": [\"" + ok + "\", \"" + overdue + "\"]}, \"cron\": \"0 0 3 * * ?\", \"timeZone\": \"UTC\"}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        policies.add(policy);
        backUp(ok);

        browser.page("#/");
        assertThat(browser.text(By.cssSelector("main h1"))).isEqualTo("Dashboard");
        assertThat(status(ok).getText()).isEqualTo("OK");
        assertThat(status(overdue).getText()).isEqualTo("Overdue");
        assertThat(browser.text(By.cssSelector("[data-testid=overall]"))).contains("need attention");
        WebElement row = status(ok).findElement(By.xpath("ancestor::tr"));
        assertThat(row.getText()).contains(policy).contains("24 h 00 min").contains("SUCCEEDED").contains("not replicated");
        assertThat(browser.text(By.cssSelector("[data-testid=stored]"))).doesNotStartWith("0 B").contains("restore points");
        assertThat(browser.text(By.cssSelector("[data-testid=ratios]"))).matches("(?s)\\d+(\\.\\d)?× · \\d+(\\.\\d)?×.*");
        browser.find(By.cssSelector("#chart-stored canvas"));
        browser.find(By.cssSelector("#chart-points canvas"));
        browser.screenshot("dashboard");
        assertThat(browser.errors()).isEmpty();
    }

    @Test
    void aRunningBackupMovesLiveInTheJobsListAndIsCancelledFromItsPage() throws Exception {
        String vm = defineVm("jobs-cancel", 64 * TestVms.MIB, 0x42);
        browser.page("#/jobs?vm=" + vm);
        assertThat(browser.text(By.cssSelector("main"))).contains("No jobs match.");

        String job = admin().post("/api/vms/" + vm + "/backups").body().path("jobId").asString();

        // the job appears and moves without a reload: both come from the job event stream
        By bar = By.cssSelector("[data-job='" + job + "'] progress");
        int first = awaitProgressAbove(bar, 0);
        awaitProgressAbove(bar, first);
        browser.screenshot("jobs");

        browser.click(By.cssSelector("a[href='#/jobs/" + job + "']"));
        browser.awaitText(By.cssSelector("main h1"), job.substring(0, 8));
        browser.click(By.cssSelector("button[data-cancel]"));
        browser.click(By.cssSelector("dialog.confirm [data-confirm]"));
        browser.awaitText(By.cssSelector("main h1"), "CANCELLED");
        browser.awaitText(By.cssSelector("main table[aria-label='Job log']"), "Cancelled");
        assertThat(browser.text(By.cssSelector("main table[aria-label='Job log']")))
                .contains("Queued").contains("Started").contains("backup vda");
        browser.screenshot("job-cancelled");

        assertThat(admin().get("/api/jobs/" + job).body().path("state").asString()).isEqualTo("CANCELLED");
        JsonNode audit = admin().get("/api/audit?action=job.cancel&target=" + job).body();
        assertThat(audit.path("entries").findValuesAsString("user")).containsExactly("admin");

        browser.page("#/audit?action=job.");
        browser.awaitText(By.cssSelector("main table[aria-label='Audit log']"), job);
        assertThat(browser.text(By.cssSelector("main table[aria-label='Audit log']"))).contains("job.cancel");
        browser.screenshot("audit");
        assertThat(browser.errors()).isEmpty();
    }

    @Test
    void aFinishedBackupsPageShowsWhatItDidAndItsLog() throws Exception {
        String vm = defineVm("jobs-done", 3 * TestVms.MIB, 0x43);
        String job = admin().post("/api/vms/" + vm + "/backups").body().path("jobId").asString();
        JsonNode done = awaitJob(job, Duration.ofSeconds(120));
        assertThat(done.path("state").asString()).isEqualTo("SUCCEEDED");

        browser.page("#/jobs/" + job.substring(0, 8));
        String result = browser.text(By.cssSelector("[data-testid=job-result]"));
        assertThat(result).contains("Succeeded").contains("Read from the disks").contains("Stored (compressed)")
                .contains(done.path("restorePoint").asString());
        assertThat(browser.text(By.cssSelector("[data-testid=job-progress]"))).startsWith("100 %");
        assertThat(browser.text(By.cssSelector("main table[aria-label='Job log']")))
                .contains("Queued").contains("Started").contains("backup vda").contains("Succeeded");
        assertThat(browser.all(By.cssSelector("button[data-cancel]"))).isEmpty();
        browser.screenshot("job");
        assertThat(browser.errors()).isEmpty();
    }

    private WebElement status(String vm) {
        return browser.find(By.cssSelector("[data-testid=status][data-vm='" + vm + "']"));
    }

    /** Waits until the progress bar's value is above {@code than}; its value. */
    private int awaitProgressAbove(By bar, int than) {
        return browser.await(d -> {
            List<WebElement> found = d.findElements(bar);
            if (found.isEmpty()) {
                return null;
            }
            int value = (int) Double.parseDouble(found.get(0).getDomProperty("value"));
            return value > than ? value : null;
        }, Duration.ofSeconds(60));
    }
}
