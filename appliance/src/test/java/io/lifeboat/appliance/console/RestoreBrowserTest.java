package io.lifeboat.appliance.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.lifeboat.appliance.api.ApiClient;
import io.lifeboat.appliance.inventory.TestVms;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import tools.jackson.databind.JsonNode;

/**
 * The restore pages in a real browser against the real libvirtd: restore points browsed, protected,
 * annotated, compared and deleted; the restore wizard taking a restore point to a clone that runs;
 * an instant recovery started from the wizard and stopped from its page after typing the VM's
 * name. Each action is checked through the API and its audit entry.
 */
class RestoreBrowserTest extends ConsoleTest {

    private static final By CONFIRM = By.cssSelector("dialog.confirm [data-confirm]");
    private static final Duration JOB = Duration.ofSeconds(120);

    @Test
    void browseProtectAnnotateCompareAndDeleteRestorePoints() throws Exception {
        String vm = defineVm("rpoints", 2 * TestVms.MIB, 0x71);
        String first = backUp(vm);
        TestVms.write(dir.resolve(vm + "-vda.qcow2"), 0x72, 16 * TestVms.MIB, TestVms.MIB);
        String second = backUp(vm);

        browser.page("#/points");
        browser.click(By.cssSelector("a[data-points-vm='" + vm + "']"));
        browser.awaitText(By.cssSelector("main h1"), "Restore points of " + vm);
        browser.find(By.cssSelector("a[data-point='" + second + "']"));
        assertThat(browser.all(By.cssSelector("main table[aria-label='Restore points'] tbody tr"))).hasSize(2);
        String firstRow = row(first).getText();
        assertThat(firstRow).contains("offline (VM stopped)").contains("64.0 MiB").contains("local only").contains("not verified");
        assertThat(browser.all(By.cssSelector(".timeline .mark"))).hasSize(2);
        browser.screenshot("points");

        // protected: the appliance then refuses to delete it, and the page says why
        browser.click(By.cssSelector("input[data-protect='" + first + "']"));
        browser.awaitText(By.id("toasts"), "is protected");
        assertThat(point(first).path("protected").asBoolean()).isTrue();
        browser.click(By.cssSelector("button[data-delete='" + first + "']"));
        browser.click(CONFIRM);
        browser.awaitText(By.id("toasts"), "is protected; unprotect it first");
        assertThat(point(first).path("status").asString()).isEqualTo("AVAILABLE");

        // the diff of the two: what the second backup found changed, per disk
        browser.click(By.cssSelector("input[data-pick='" + first + "']"));
        browser.click(By.cssSelector("input[data-pick='" + second + "']"));
        browser.click(By.cssSelector("[data-action=compare]"));
        WebElement changed = browser.find(By.cssSelector("[data-testid=diff] [data-diff-disk=vda]"));
        JsonNode diff = admin().get("/api/restore-points/" + first + "/diff/" + time(second)).body();
        long changedBytes = diff.path("disks").get(0).path("changedBytes").asLong();
        assertThat(changedBytes).as("the MiB written between the backups, in whole chunks").isBetween(TestVms.MIB, 16 * TestVms.MIB);
        assertThat(Long.parseLong(changed.getAttribute("data-bytes"))).isEqualTo(changedBytes);
        assertThat(browser.text(By.cssSelector("[data-testid=diff-total]"))).isNotEmpty().doesNotContain("–");
        browser.screenshot("points-diff");

        // one restore point's page: notes written there are stored, and shown as text
        browser.click(By.cssSelector("a[data-point='" + second + "']"));
        browser.awaitText(By.cssSelector("[data-testid=kind]"), "");
        String notes = "<b>before the upgrade</b> & kept";
        browser.type(By.id("f-notes"), notes);
        browser.click(By.cssSelector("[data-testid=notes-form] button[type=submit]"));
        browser.awaitText(By.id("toasts"), "Notes saved");
        assertThat(point(second).path("notes").asString()).isEqualTo(notes);
        assertThat(browser.find(By.cssSelector("[data-testid=diff] [data-diff-disk=vda]")).getAttribute("data-bytes"))
                .as("the page compares with the point before").isEqualTo(String.valueOf(changedBytes));
        browser.screenshot("point");
        browser.page("#/points/" + vm);
        assertThat(browser.find(By.cssSelector("[data-notes='" + second + "']")).getText()).isEqualTo(notes);
        assertThat(browser.all(By.cssSelector("main b"))).isEmpty();

        // unprotected, then deleted after the confirmation
        browser.click(By.cssSelector("input[data-protect='" + first + "']"));
        browser.awaitText(By.id("toasts"), "is no longer protected");
        browser.click(By.cssSelector("button[data-delete='" + first + "']"));
        browser.click(CONFIRM);
        browser.await(d -> d.findElements(By.cssSelector("a[data-point='" + first + "']")).isEmpty());
        assertThat(point(first).path("status").asString()).isEqualTo("DELETED");
        assertThat(point(second).path("status").asString()).isEqualTo("AVAILABLE");

        assertThat(audit("restore-point.update", first)).hasSize(2).allSatisfy(this::assertSucceededByAdmin);
        assertThat(audit("restore-point.update", second)).singleElement().satisfies(this::assertSucceededByAdmin);
        assertThat(audit("restore-point.delete", first)).extracting(e -> e.path("outcome").asString())
                .containsExactly("SUCCEEDED", "FAILED");
        assertThat(auditPage("restore-point.", first)).contains("restore-point.delete").contains("restore-point.update")
                .contains("SUCCEEDED").contains("FAILED").contains("is protected").contains("admin");
        assertThat(browser.errors()).as("the refused delete is the only failed request")
                .allSatisfy(e -> assertThat(e).contains("restore-points").contains("409"));
    }

    @Test
    void theWizardRestoresAPointToACloneThatStarts() throws Exception {
        String vm = defineVm("rwizard", 2 * TestVms.MIB, 0x73);
        String point = backUp(vm);
        String clone = vms.name("rwizclone");
        Path target = Files.createDirectories(dir.resolve("restored"));

        browser.page("#/points/" + vm);
        browser.click(By.cssSelector("a[data-restore='" + point + "']"));
        browser.awaitText(By.cssSelector("main h1"), "Restore " + vm);
        assertThat(browser.find(By.cssSelector("input[data-mode=clone]")).isSelected()).isTrue();
        browser.click(By.cssSelector("[data-next='2']"));

        // a relative directory: the appliance's dry run refuses it, and nothing is created
        browser.type(By.id("f-name"), clone);
        browser.type(By.id("f-directory"), "relative/dir");
        browser.click(By.cssSelector("[data-next='3']"));
        assertThat(browser.awaitText(By.cssSelector("[data-testid=refusal]"), "absolute").getText()).contains("directory");
        assertThat(browser.find(By.cssSelector("[data-action=run]")).isEnabled()).isFalse();
        assertThat(admin().get("/api/vms/" + clone).status()).isEqualTo(404);

        browser.click(By.xpath("//section[@data-testid='step-check']//button[text()='Back']"));
        browser.type(By.id("f-directory"), target.toString());
        assertThat(browser.find(By.cssSelector("input[data-testid=start]")).isSelected()).as("start after, by default").isTrue();
        browser.click(By.cssSelector("[data-next='3']"));
        assertThat(browser.awaitText(By.cssSelector("[data-testid=plan-name]"), clone).getText()).isEqualTo(clone);
        assertThat(browser.find(By.cssSelector("[data-plan-file='" + clone + "-vda.qcow2']")).getText())
                .isEqualTo(target.resolve(clone + "-vda.qcow2").toString());
        assertThat(Files.exists(target.resolve(clone + "-vda.qcow2"))).as("the plan is a dry run").isFalse();
        assertThat(admin().get("/api/vms/" + clone).status()).isEqualTo(404);
        browser.screenshot("restore-plan");

        browser.click(By.cssSelector("[data-action=run]"));
        WebElement result = browser.await(d -> d.findElements(By.cssSelector("[data-testid=restore-result]")).stream()
                .findFirst().orElse(null), JOB);
        assertThat(result.getAttribute("data-started")).as(result.getText()).isEqualTo("true");
        assertThat(result.getText()).contains(clone + " is defined and started").contains(target.toString());
        String jobId = browser.find(By.cssSelector("[data-testid=restore-job]")).getAttribute("data-job");
        assertThat(browser.find(By.cssSelector("[data-testid=restore-job]")).getAttribute("data-state")).isEqualTo("SUCCEEDED");
        browser.screenshot("restore-done");

        JsonNode restored = admin().get("/api/vms/" + clone).body();
        assertThat(restored.path("state").asString()).isEqualTo("RUNNING");
        assertThat(restored.path("disks").get(0).path("path").asString()).isEqualTo(target.resolve(clone + "-vda.qcow2").toString());
        assertThat(restored.path("uuid").asString()).isNotEqualTo(admin().get("/api/vms/" + vm).body().path("uuid").asString());
        assertThat(admin().get("/api/jobs/" + jobId + "/restore").body().path("started").asBoolean()).isTrue();
        assertThat(audit("restore-point.restore", point)).singleElement().satisfies(e -> {
            assertSucceededByAdmin(e);
            assertThat(e.path("detail").asString()).startsWith("clone as " + clone);
        });
        assertThat(auditPage("restore-point.restore", point)).contains("admin").contains("SUCCEEDED").contains("clone as " + clone);
        assertThat(browser.errors()).as("the refused dry run is the only failed request")
                .allSatisfy(e -> assertThat(e).contains("dryRun=true").contains("400"));
    }

    @Test
    void anInstantRecoveryStartedFromTheWizardRunsAndIsStoppedFromItsPage() throws Exception {
        String vm = defineVm("rinstant", 2 * TestVms.MIB, 0x74);
        String point = backUp(vm);
        String name = vms.name("rinstvm");

        browser.page("#/restore/" + point);
        browser.click(By.cssSelector("input[data-mode=instant]"));
        browser.click(By.cssSelector("[data-next='2']"));
        browser.type(By.id("f-name"), name);
        browser.type(By.id("f-directory"), dir.resolve("instant-images").toString());
        browser.click(By.cssSelector("input[data-testid=copy]"));
        browser.click(By.cssSelector("[data-next='3']"));
        browser.awaitText(By.cssSelector("[data-testid=plan]"), "not yet");
        browser.click(By.cssSelector("[data-action=run]"));
        browser.awaitText(By.cssSelector("[data-testid=instant-running]"), name);
        assertThat(admin().get("/api/vms/" + name).body().path("state").asString()).isEqualTo("RUNNING");
        JsonNode session = null;
        for (JsonNode s : admin().get("/api/instant-recoveries").body()) {
            if (s.path("vm").asString().equals(name)) {
                session = s;
            }
        }
        assertThat(session).as("the session of " + name).isNotNull();
        String id = session.path("id").asString();
        assertThat(session.path("state").asString()).isEqualTo("SERVING");

        browser.page("#/recoveries");
        By row = By.xpath("//tr[.//span[@data-recovery='" + id + "']]");
        assertThat(browser.find(row).getText()).contains("serving").contains(point);
        long served = Long.parseLong(browser.find(By.xpath("//tr[.//span[@data-recovery='" + id + "']]//span[@data-testid='served']"))
                .getAttribute("data-bytes"));
        assertThat(served).as("the VM read its first blocks from the export").isPositive();
        browser.screenshot("recoveries");

        // stop: the button works only once the VM's name is typed
        browser.click(By.cssSelector("button[data-stop='" + id + "']"));
        assertThat(browser.find(CONFIRM).isEnabled()).isFalse();
        browser.type(By.id("confirm-typed"), name.substring(0, name.length() - 1));
        assertThat(browser.find(CONFIRM).isEnabled()).isFalse();
        browser.type(By.id("confirm-typed"), name);
        browser.click(CONFIRM);
        browser.await(d -> d.findElements(row).isEmpty());
        assertThat(admin().get("/api/vms/" + name).status()).as("the VM is gone with its recovery").isEqualTo(404);
        assertThat(admin().get("/api/instant-recoveries/" + id).status()).isEqualTo(404);
        assertThat(admin().get("/api/jobs/" + session.path("jobId").asString()).body().path("state").asString()).isEqualTo("CANCELLED");

        assertThat(audit("restore-point.instant-recovery", point)).singleElement().satisfies(e -> {
            assertSucceededByAdmin(e);
            assertThat(e.path("detail").asString()).contains("as " + name, id);
        });
        assertThat(audit("instant-recovery.stop", id)).singleElement().satisfies(this::assertSucceededByAdmin);
        assertThat(auditPage("restore-point.instant-recovery", point)).contains("admin").contains("SUCCEEDED").contains("as " + name);
        assertThat(auditPage("instant-recovery.stop", id)).contains("admin").contains("SUCCEEDED");
        assertThat(browser.errors()).isEmpty();
    }

    @Test
    void theRestorePagesFitATabletWithoutScrollingSideways() throws Exception {
        String vm = defineVm("rtablet", TestVms.MIB, 0x75);
        String point = backUp(vm);
        try (Browser tablet = Browser.open(port, 768, 1024)) {
            tablet.login("admin", ADMIN_PASSWORD);
            for (String page : new String[] {"#/points/" + vm, "#/points/" + point, "#/restore/" + point, "#/recoveries"}) {
                tablet.page(page);
                tablet.find(By.cssSelector("main h1"));
                assertThat(tablet.js("return document.documentElement.scrollWidth <= window.innerWidth")).as(page).isEqualTo(true);
            }
            tablet.page("#/restore/" + point);
            tablet.click(By.cssSelector("[data-next='2']"));
            tablet.find(By.id("f-name"));
            assertThat(tablet.js("return document.documentElement.scrollWidth <= window.innerWidth")).as("the wizard's second step")
                    .isEqualTo(true);
            tablet.screenshot("restore-tablet");
            assertThat(tablet.errors()).isEmpty();
        }
    }

    private WebElement row(String point) {
        return browser.find(By.xpath("//tr[.//a[@data-point='" + point + "']]"));
    }

    private JsonNode point(String id) throws Exception {
        ApiClient.Reply reply = admin().get("/api/restore-points/" + id);
        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        return reply.body();
    }

    private static String time(String point) {
        return point.substring(point.lastIndexOf('/') + 1);
    }
}
