package io.lifeboat.appliance.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.lifeboat.appliance.inventory.TestVms;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import tools.jackson.databind.JsonNode;

/** The policies pages in a real browser: create with a field error, pause, resume, run now, retention preview, delete. */
class PolicyBrowserTest extends ConsoleTest {

    private static final Duration RUN = Duration.ofSeconds(180);

    @Test
    void aPolicyIsCreatedPausedResumedRunAndDeletedFromTheConsole() throws Exception {
        String vm = defineVm("pol", 4 * TestVms.MIB, 0x71);
        String name = "nightly-" + UUID.randomUUID().toString().substring(0, 8);

        browser.page("#/policies");
        browser.click(By.cssSelector("[data-testid=create-policy]"));
        browser.awaitText(By.cssSelector("main h1"), "New policy");
        browser.type(By.id("f-name"), name);
        browser.type(By.id("f-selection.names"), vm);
        browser.type(By.id("f-cron"), "0 61 * * * ?");
        browser.type(By.id("f-timeZone"), "Europe/Berlin");
        browser.click(By.cssSelector("[data-testid=save]"));

        // the server's words, next to the cron field, and nothing saved
        String error = browser.find(By.cssSelector("[data-field-error=cron]")).getText();
        assertThat(error).contains("0 61 * * * ?");
        assertThat(browser.find(By.id("f-cron")).getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.find(By.id("f-cron")).getAttribute("aria-describedby")).contains("f-cron-error");
        assertThat(browser.all(By.cssSelector("[data-field-error]"))).hasSize(1);
        browser.screenshot("policy-new-invalid-cron");
        assertThat(admin().get("/api/policies/" + name).status()).isEqualTo(404);

        browser.type(By.id("f-cron"), "0 30 1 * * ?");
        browser.click(By.cssSelector("[data-testid=save]"));
        browser.awaitText(By.cssSelector("[data-testid=policy-name]"), name);
        JsonNode created = admin().get("/api/policies/" + name).body();
        assertThat(created.path("definition").path("cron").asString()).isEqualTo("0 30 1 * * ?");
        assertThat(created.path("definition").path("timeZone").asString()).isEqualTo("Europe/Berlin");
        assertThat(created.path("definition").path("selection").path("names").get(0).asString()).isEqualTo(vm);
        assertThat(browser.all(By.cssSelector("[data-schedule=backup] li"))).hasSize(5);
        browser.screenshot("policy");

        browser.click(By.cssSelector("[data-testid=pause-resume]"));
        browser.find(By.cssSelector("[data-testid=paused-note]"));
        browser.awaitText(By.cssSelector("[data-testid=pause-resume]"), "Resume");
        assertThat(admin().get("/api/policies/" + name).body().path("paused").asBoolean()).isTrue();
        assertThat(browser.all(By.cssSelector("[data-schedule=backup] li"))).as("no fire times while paused").isEmpty();
        browser.click(By.cssSelector("[data-testid=pause-resume]"));
        browser.awaitText(By.cssSelector("[data-testid=pause-resume]"), "Pause");
        assertThat(admin().get("/api/policies/" + name).body().path("paused").asBoolean()).isFalse();

        browser.click(By.cssSelector("[data-testid=run-backup]"));
        browser.await(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("[data-testid=run-now] .badge[data-state=RUNNING], [data-testid=run-now] .badge[data-state=SUCCEEDED]")), RUN);
        browser.await(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("[data-testid=run-now] td .badge[data-state=SUCCEEDED]")), RUN);
        browser.await(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("[data-testid=run-outcome][data-outcome=SUCCEEDED]")), RUN);
        browser.screenshot("policy-run-now");
        JsonNode run = admin().get("/api/policies/" + name).body().path("recentRuns").get(0);
        assertThat(run.path("cause").asString()).isEqualTo("RUN_NOW");
        assertThat(run.path("vms").get(0).asString()).isEqualTo(vm);

        // the retention preview, read again once the run ended, names the rule that keeps the new point
        browser.awaitText(By.cssSelector("[data-testid=keep-rule]"), "keep-last");
        assertThat(browser.find(By.cssSelector("[data-testid=keep-rule]")).getAttribute("data-mark")).isEqualTo("keep-last");

        String audit = admin().get("/api/audit?action=policy.&target=" + name + "&limit=500").text();
        for (String action : List.of("policy.create", "policy.pause", "policy.resume", "policy.run")) {
            assertThat(audit).as(action).contains("\"action\":\"" + action + "\"");
        }
        assertThat(audit).contains("\"outcome\":\"FAILED\"").as("the refused create is audited too");

        browser.click(By.cssSelector("[data-testid=delete]"));
        browser.type(By.id("confirm-typed"), name);
        browser.click(By.cssSelector("dialog [data-confirm]"));
        browser.awaitText(By.cssSelector("main h1"), "Policies");
        assertThat(admin().get("/api/policies/" + name).status()).isEqualTo(404);
        assertThat(admin().get("/api/audit?action=policy.delete&target=" + name).text()).contains("SUCCEEDED");

        assertThat(scriptErrors()).isEmpty();
    }

    @Test
    void markupInAPolicyIsShownAsText() throws Exception {
        String name = "markup-" + UUID.randomUUID().toString().substring(0, 8);
        String markup = "<img src=x onerror=window.__injected=1>";
        String body = "{\"name\":\"" + name + "\",\"selection\":{\"names\":[\"" + markup + "\"]},"
                + "\"cron\":\"0 0 3 * * ?\",\"timeZone\":\"UTC\"}";
        assertThat(admin().post("/api/policies", JSON, body).status()).isEqualTo(201);
        try {
            browser.page("#/policies");
            By row = By.cssSelector("[data-policy='" + name + "']");
            browser.find(row);
            assertThat(browser.all(By.cssSelector("main img"))).isEmpty();
            assertThat(browser.text(By.xpath("//tr[.//*[@data-policy='" + name + "']]//*[@data-testid='selection']")))
                    .isEqualTo(markup);
            assertThat(browser.js("return window.__injected === undefined")).isEqualTo(true);
            browser.screenshot("policies");

            browser.page("#/policies/" + name);
            assertThat(browser.text(By.cssSelector("[data-testid=selection]"))).isEqualTo(markup);
            assertThat(browser.all(By.cssSelector("main img"))).isEmpty();
            assertThat(browser.js("return window.__injected === undefined")).isEqualTo(true);
            assertThat(scriptErrors()).isEmpty();
        } finally {
            admin().delete("/api/policies/" + name);
        }
    }

    @Test
    void theEditFormShowsEveryInvalidFieldAndChangesNothing() throws Exception {
        String name = "edit-" + UUID.randomUUID().toString().substring(0, 8);
        String body = "{\"name\":\"" + name + "\",\"selection\":{\"globs\":[\"lbtest-none-*\"]},"
                + "\"cron\":\"0 0 3 * * ?\",\"timeZone\":\"UTC\"}";
        assertThat(admin().post("/api/policies", JSON, body).status()).isEqualTo(201);
        try {
            browser.page("#/policy/" + name);
            browser.click(By.cssSelector("[data-testid=edit]"));
            browser.type(By.id("f-timeZone"), "Mars/Olympus_Mons");
            browser.type(By.id("f-retention.keep-daily"), "-1");
            browser.click(By.cssSelector("[data-testid=save]"));
            assertThat(browser.find(By.cssSelector("[data-field-error=timeZone]")).getText()).contains("Mars/Olympus_Mons");
            assertThat(browser.find(By.cssSelector("[data-field-error='retention.keep-daily']")).getText()).contains("-1");
            browser.screenshot("policy-edit-invalid");
            assertThat(admin().get("/api/policies/" + name).body().path("definition").path("timeZone").asString()).isEqualTo("UTC");

            browser.type(By.id("f-timeZone"), "Europe/Lisbon");
            browser.type(By.id("f-retention.keep-daily"), "5");
            browser.click(By.cssSelector("[data-testid=save]"));
            browser.awaitText(By.cssSelector("main dl.facts"), "daily 5");
            JsonNode saved = admin().get("/api/policies/" + name).body().path("definition");
            assertThat(saved.path("timeZone").asString()).isEqualTo("Europe/Lisbon");
            assertThat(saved.path("retention").path("keep-daily").asInt()).isEqualTo(5);
            assertThat(admin().get("/api/audit?action=policy.update&target=" + name).text()).contains("FAILED").contains("SUCCEEDED");
            assertThat(scriptErrors()).isEmpty();
        } finally {
            admin().delete("/api/policies/" + name);
        }
    }

    /** Script errors, without the 4xx answers the test provoked on purpose. */
    private List<String> scriptErrors() {
        return browser.errors().stream().filter(e -> !e.contains("Failed to load resource")).toList();
    }
}
