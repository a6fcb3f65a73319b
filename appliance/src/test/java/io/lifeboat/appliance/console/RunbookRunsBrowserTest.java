package io.lifeboat.appliance.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.lifeboat.appliance.api.ApiClient;
import io.lifeboat.appliance.inventory.TestVms;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import tools.jackson.databind.JsonNode;

/**
 * The console's pages for runbook runs in a real browser, over a VM with no OS backed up for real:
 * the readiness check shown on the runbook's page; the failover's confirmation refusing a wrong
 * name (nothing started); a test failover started from the page, followed on its run page to DONE
 * with every step listed and the VM's RTO and RPO; the runs list from the navigation; the test run
 * cleaned up from its page (CLEANED, its VM gone); the runbook's drill with its next time, fired
 * from the page and its outcome shown; and the API's refusal shown when the runbook is gone.
 */
class RunbookRunsBrowserTest extends ConsoleTest {

    private static final Duration RUN = Duration.ofSeconds(120);

    @Test
    void readinessTestFailoverRunPageCleanupAndAGuardedFailover() throws Exception {
        String vm = defineVm("rbpage", TestVms.MIB, 0x4e); // a pattern of its own: the store is shared
        String point = backUp(vm);
        String name = "rr-" + vm.substring(vm.lastIndexOf('-') + 1);
        String yaml = "runbook: " + name + "\ndrill: {schedule: '0 45 3 1 1 ?', zone: UTC, ttl: 1h}\ngroups:\n  - name: g\n"
                + "    vms:\n      - {vm: " + vm + ", point: newest, checks: [running:]}\n";
        assertThat(admin().post("/api/runbooks", "application/yaml", yaml).status()).isEqualTo(201);
        List<String> started = new ArrayList<>();
        try {
            browser.page("#/runbooks/" + name);
            assertThat(browser.text(By.cssSelector("[data-testid=drill]"))).contains("0 45 3 1 1 ?").contains("UTC");
            assertThat(browser.text(By.cssSelector("[data-testid=drill-next]"))).contains("Jan").contains("03:45");
            assertThat(browser.text(By.cssSelector("[data-testid=drill-last]"))).isEqualTo("Last drill: never yet");

            browser.click(By.cssSelector("[data-action=readiness]"));
            WebElement report = browser.awaitText(By.cssSelector("[data-testid=readiness]"), "ready");
            assertThat(report.getText()).contains("test failover readiness").doesNotContain("not ready").contains(point)
                    .contains(vm + "-test-xxxxxxxx").contains("every chunk of its 1 disk(s) is there");
            assertThat(browser.all(By.cssSelector("[data-testid=readiness] [data-ok=false]"))).isEmpty();
            assertThat(browser.text(By.cssSelector("[data-testid=readiness] tbody tr"))).contains("none");
            browser.screenshot("runbook-readiness");

            // A failover needs the runbook's name typed: a wrong one starts nothing
            browser.click(By.cssSelector("[data-action=failover]"));
            browser.type(By.id("confirm-typed"), name + "x");
            assertThat(browser.find(By.cssSelector("[data-confirm]")).isEnabled()).isFalse();
            browser.find(By.id("confirm-typed")).sendKeys(Keys.ENTER);
            assertThat(browser.all(By.cssSelector("dialog.confirm[open]"))).as("still asking").hasSize(1);
            assertThat(browser.text(By.cssSelector("dialog.confirm"))).contains("The primary site is lost");
            browser.click(By.xpath("//dialog//button[text()='Cancel']"));
            browser.await(ExpectedConditions.numberOfElementsToBe(By.cssSelector("dialog.confirm"), 0));
            assertThat(runsOf(name)).as("no run started").isEmpty();

            browser.click(By.cssSelector("[data-action=test]"));
            browser.type(By.id("ask-ttl"), "2h");
            browser.click(By.cssSelector("[data-confirm]"));
            browser.await(d -> d.getCurrentUrl().contains("#/runbook-runs/"));
            String url = browser.driver().getCurrentUrl();
            String id = url.substring(url.lastIndexOf('/') + 1);
            started.add(id);
            browser.await(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("h1 [data-testid=run-state]"),
                    "done"), RUN);
            List<String> steps = browser.all(By.cssSelector("main table[aria-label=Steps] tbody tr td:first-child")).stream()
                    .map(WebElement::getText).toList();
            assertThat(steps).contains("network", "start:" + vm, "checks:" + vm, "copy");
            assertThat(browser.all(By.cssSelector("main table[aria-label=Steps] [data-outcome]")))
                    .extracting(e -> e.getDomAttribute("data-outcome")).containsOnly("OK");
            String vms = browser.text(By.cssSelector("main table[aria-label=VMs] tbody"));
            assertThat(vms).contains(vm + "-test-" + id).contains(point);
            assertThat(browser.text(By.cssSelector("[data-testid=rpo]"))).matches("[0-9.]+ (s|min).*");
            assertThat(browser.text(By.cssSelector("[data-testid=rto]"))).doesNotContain("not reached");
            assertThat(browser.find(By.cssSelector("[data-testid=report]")).getDomAttribute("href"))
                    .isEqualTo("/api/runbook-runs/" + id + "/report");
            JsonNode api = admin().get("/api/runbook-runs/" + id).body();
            assertThat(api.path("state").asString()).isEqualTo("DONE");
            assertThat(api.path("expires").isString()).as("the time to live typed").isTrue();
            browser.screenshot("runbook-run");

            browser.click(By.cssSelector("#nav a[href='#/runbook-runs']"));
            String row = browser.find(By.xpath("//tr[.//a[@data-run='" + id + "']]")).getText();
            assertThat(row).contains(name).contains("test failover").contains("done");

            browser.click(By.cssSelector("a[data-run='" + id + "']"));
            browser.click(By.cssSelector("[data-action=cleanup]"));
            browser.click(By.cssSelector("[data-confirm]"));
            browser.awaitText(By.cssSelector("h1 [data-testid=run-state]"), "cleaned");
            assertThat(admin().get("/api/runbook-runs/" + id).body().path("state").asString()).isEqualTo("CLEANED");
            assertThat(TestVms.run("virsh", "-c", TestVms.URI, "list", "--all", "--name")).doesNotContain("-test-" + id);
            assertThat(browser.all(By.cssSelector("[data-action=cleanup]"))).as("nothing left to clean up").isEmpty();

            // The drill, fired from the page: its outcome and run on the runbook's page
            browser.page("#/runbooks/" + name);
            browser.click(By.cssSelector("[data-action=drill-now]"));
            browser.await(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[data-testid=drill-last]"),
                    "done"), RUN);
            String drillRun = browser.find(By.cssSelector("[data-testid=drill-last] a[data-run]")).getDomAttribute("data-run");
            started.add(drillRun);
            assertThat(drillRun).isNotEqualTo(id);
            assertThat(runsOf(name)).hasSize(2);

            // What the API refuses is shown in its words
            assertThat(admin().delete("/api/runbooks/" + name).status()).isEqualTo(204);
            browser.click(By.cssSelector("[data-action=readiness]"));
            assertThat(browser.awaitText(By.cssSelector("[data-testid=readiness-error]"), "no runbook " + name).getText())
                    .startsWith("Readiness check failed");
            browser.awaitText(By.id("toasts"), "no runbook " + name);
            assertThat(browser.errors()).as("the refused readiness check is the only failed request")
                    .singleElement().asString().contains("/readiness").contains("404");
        } finally {
            for (String id : started) {
                ApiClient.Reply r = admin().get("/api/runbook-runs/" + id);
                if (!r.body().path("state").asString().equals("CLEANED")) {
                    admin().post("/api/runbook-runs/" + id + "/cleanup");
                }
            }
            admin().delete("/api/runbooks/" + name);
        }
    }

    @Test
    void aFailbackStartedFromThePageWaitsForItsCutoverWhichThePageApproves() throws Exception {
        String vm = defineVm("rbback", 2 * TestVms.MIB, 0x4f); // a pattern of its own: the store is shared
        backUp(vm);
        String name = "fbp-" + vm.substring(vm.lastIndexOf('-') + 1);
        java.nio.file.Path dr = java.nio.file.Files.createDirectories(dir.resolve("dr"));
        String yaml = "runbook: " + name + "\nprimary: {target: " + TestVms.URI + ", timeout: 2s}\ngroups:\n  - name: g\n"
                + "    vms:\n      - {vm: " + vm + ", name: " + vm + "-dr, point: newest, mode: restore, identity: new, target: "
                + TestVms.URI + ", directory: " + dr + ", checks: [running:]}\n";
        assertThat(admin().post("/api/runbooks", "application/yaml", yaml).status()).isEqualTo(201);
        try {
            ApiClient.Reply failover = admin().post("/api/runbooks/" + name + "/runs", JSON, "{\"kind\":\"failover\"}");
            assertThat(failover.status()).as(failover.text()).isEqualTo(202);
            awaitState(failover.body().path("run").asString(), "DONE");

            browser.page("#/runbooks/" + name);
            browser.click(By.cssSelector("[data-action=failback]"));
            browser.type(By.id("confirm-typed"), name);
            browser.click(By.cssSelector("[data-confirm]"));
            browser.await(d -> d.getCurrentUrl().contains("#/runbook-runs/"));
            String url = browser.driver().getCurrentUrl();
            String id = url.substring(url.lastIndexOf('/') + 1);
            browser.await(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("h1 [data-testid=run-state]"),
                    "waiting"), RUN);
            assertThat(admin().get("/api/runbook-runs/" + id).body().path("kind").asString()).isEqualTo("failback");

            browser.click(By.cssSelector("[data-action=approve]"));
            assertThat(browser.text(By.cssSelector("dialog.confirm"))).contains("Approve the cutover?");
            browser.click(By.cssSelector("[data-confirm]"));
            // a VM with no OS does not shut down: the run halts there, and goes on once it is off
            browser.await(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("h1 [data-testid=run-state]"),
                    "halted"), RUN);
            assertThat(browser.text(By.cssSelector("main"))).contains("did not shut down");
            TestVms.run("virsh", "-c", TestVms.URI, "destroy", vm + "-dr");
            browser.click(By.cssSelector("[data-action=resume]"));
            browser.await(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("h1 [data-testid=run-state]"),
                    "done"), RUN);
            List<String> steps = browser.all(By.cssSelector("main table[aria-label=Steps] tbody tr td:first-child")).stream()
                    .map(WebElement::getText).toList();
            assertThat(steps).contains("sync:" + vm, "approval:cutover", "final:" + vm, "apply:" + vm, "start:" + vm);
            assertThat(TestVms.run("virsh", "-c", TestVms.URI, "domstate", vm).strip()).isEqualTo("running");
        } finally {
            for (String d : List.of(vm + "-dr")) {
                try {
                    TestVms.run("virsh", "-c", TestVms.URI, "destroy", d);
                } catch (IllegalStateException off) {
                    // shut off already
                }
                try {
                    TestVms.run("virsh", "-c", TestVms.URI, "undefine", d, "--checkpoints-metadata");
                } catch (IllegalStateException gone) {
                    // never defined
                }
            }
            admin().delete("/api/runbooks/" + name);
        }
    }

    private void awaitState(String id, String state) throws Exception {
        long deadline = System.nanoTime() + RUN.toNanos();
        while (!admin().get("/api/runbook-runs/" + id).body().path("state").asString().equals(state)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("run " + id + " not " + state + ": " + admin().get("/api/runbook-runs/" + id).text());
            }
            Thread.sleep(200); // polling the run until it reaches the state
        }
    }

    private List<JsonNode> runsOf(String runbook) throws Exception {
        List<JsonNode> runs = new ArrayList<>();
        admin().get("/api/runbook-runs").body().forEach(r -> {
            if (r.path("runbook").asString().equals(runbook)) {
                runs.add(r);
            }
        });
        return runs;
    }
}
