package io.lifeboat.appliance.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.lifeboat.appliance.inventory.TestVms;
import io.lifeboat.appliance.inventory.VmTags;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import tools.jackson.databind.JsonNode;

/**
 * The VM list ({@code #/vms}) and a VM's page ({@code #/vm/<name>}) in a real browser against the
 * real libvirtd: a backup followed live through the job events, snapshots, tags and a clone, each
 * checked through the API and the audit log; and a VM whose name, title, description and tag are
 * markup, which the pages must show as text.
 */
class VmPagesBrowserTest extends ConsoleTest {

    private static final By BACKUP_JOB = By.cssSelector("[data-testid=backup] [data-testid=backup-job]");
    private static final By CONFIRM = By.cssSelector("dialog.confirm [data-confirm]");

    @Test
    void backUpSnapshotTagAndCloneFromTheVmPages() throws Exception {
        String vm = defineVm("pages", 24 * TestVms.MIB, 0x6d);

        browser.page("#/vms");
        browser.find(By.cssSelector("a[data-vm='" + vm + "']"));
        browser.type(By.id("vm-filter"), vm);
        browser.awaitText(By.cssSelector("[data-testid=vm-count]"), "1 of ");
        WebElement row = row(vm);
        assertThat(row.getText()).contains("shut off").contains("1 disk · 64.0 MiB").contains("never");

        browser.click(By.cssSelector("a[data-vm='" + vm + "']"));
        browser.awaitText(By.cssSelector("main h1"), vm);
        assertThat(browser.driver().getCurrentUrl()).endsWith("#/vm/" + vm);
        assertThat(browser.text(By.cssSelector("[data-testid=vm-state]"))).isEqualTo("shut off");
        assertThat(browser.text(By.cssSelector("main table[aria-label=Disks]"))).contains("vda").contains("qcow2")
                .contains("64.0 MiB").contains(dir.toString());

        // Back up now: the bar moves with what the server pushes, reaches 100 %, then the summary.
        browser.click(By.cssSelector("[data-action=backup]"));
        List<String> seen = new ArrayList<>();
        browser.await(d -> {
            List<WebElement> job = d.findElements(BACKUP_JOB);
            if (job.isEmpty()) {
                return false;
            }
            String now = job.get(0).getAttribute("data-state") + " " + job.get(0).getAttribute("data-percent");
            if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(now)) {
                seen.add(now);
            }
            return now.startsWith("SUCCEEDED");
        }, Duration.ofSeconds(120));
        assertThat(seen).as("progress pushed while the backup read the disk")
                .anySatisfy(s -> assertThat(s).matches("RUNNING ([1-9]|[1-9][0-9])"));
        assertThat(seen.get(seen.size() - 1)).isEqualTo("SUCCEEDED 100");
        String jobId = browser.find(BACKUP_JOB).getAttribute("data-job");
        assertThat(browser.text(BACKUP_JOB)).contains("100 %");
        assertThat(browser.text(By.cssSelector("[data-testid=backup-result]")))
                .matches("read [0-9.]+ MiB · [0-9.]+ (B|KiB|MiB) new · [0-9.]+ (B|KiB|MiB) stored · took [0-9.]+ (ms|s).*");
        assertThat(jobRequests(jobId)).as("the job was read once, then followed over its event stream").isLessThanOrEqualTo(1);
        JsonNode job = admin().get("/api/jobs/" + jobId).body();
        assertThat(job.path("state").asString()).isEqualTo("SUCCEEDED");
        String point = job.path("restorePoint").asString();
        assertThat(admin().get("/api/restore-points?vm=" + vm).text()).contains(point);
        browser.awaitText(By.cssSelector("main table[aria-label='Restore points']"), "FULL");
        assertThat(browser.find(By.cssSelector("[data-testid=points-link]")).getAttribute("href")).endsWith("#/points/" + vm);
        browser.screenshot("vm");

        // A snapshot: taken, reverted to, deleted, each after a confirmation.
        browser.type(By.id("f-name"), "before-change");
        browser.type(By.id("f-description"), "clean state");
        browser.click(By.cssSelector("[data-testid=snapshot-form] button[type=submit]"));
        browser.click(CONFIRM);
        browser.find(By.cssSelector("[data-snapshot='before-change']"));
        assertThat(admin().get("/api/vms/" + vm + "/snapshots").text()).contains("\"before-change\"").contains("clean state");
        browser.click(By.cssSelector("[data-revert='before-change']"));
        browser.click(CONFIRM);
        browser.awaitText(By.id("toasts"), "Reverted " + vm + " to before-change");
        browser.click(By.cssSelector("[data-delete-snapshot='before-change']"));
        browser.click(CONFIRM);
        browser.await(d -> d.findElements(By.cssSelector("[data-snapshot='before-change']")).isEmpty());
        assertThat(admin().get("/api/vms/" + vm + "/snapshots").body().size()).isZero();

        // A tag added, then removed.
        browser.type(By.id("f-tag"), "console-test");
        browser.click(By.cssSelector("[data-testid=tag-form] button[type=submit]"));
        browser.awaitText(By.cssSelector("[data-testid=vm-tags]"), "console-test");
        assertThat(admin().get("/api/vms/" + vm).body().path("tags").toString()).isEqualTo("[\"console-test\"]");
        browser.click(By.cssSelector("[data-remove-tag='console-test']"));
        browser.awaitText(By.cssSelector("[data-testid=vm-tags]"), "No tags.");
        assertThat(admin().get("/api/vms/" + vm).body().path("tags").size()).isZero();

        // A clone of the shut-off VM.
        String clone = vms.name("pagesclone");
        browser.type(By.id("f-clone"), clone);
        browser.click(By.cssSelector("[data-testid=clone-form] button[type=submit]"));
        assertThat(browser.awaitText(By.cssSelector("[data-testid=clone-result]"), clone).getText())
                .contains("cloned").contains("shut off").contains("1 disk · 64.0 MiB");
        assertThat(admin().get("/api/vms/" + clone).status()).isEqualTo(200);

        // Back up now from the list: the row shows the job to its end, then the new age.
        browser.page("#/vms");
        browser.type(By.id("vm-filter"), vm);
        String inRow = "//tr[.//a[@data-vm='" + vm + "']]";
        By lastBackup = By.xpath(inRow + "//a[@data-testid='last-backup']");
        String firstPoint = browser.find(lastBackup).getAttribute("title");
        browser.click(By.cssSelector("[data-backup='" + vm + "']"));
        browser.await(d -> !d.findElements(By.xpath(inRow + "//*[@data-testid='backup-job'][@data-state='SUCCEEDED']")).isEmpty(),
                Duration.ofSeconds(120));
        browser.await(d -> !firstPoint.equals(d.findElement(lastBackup).getAttribute("title")));
        assertThat(row(vm).getText()).contains("100 %").contains("stored");
        browser.screenshot("vms");
        assertThat(admin().get("/api/restore-points?vm=" + vm).body().size()).isEqualTo(2);

        assertThat(audit("vm.backup", vm)).hasSize(2).allSatisfy(e -> assertSucceededByAdmin(e));
        assertThat(audit("vm.snapshot.create", vm + "/before-change")).singleElement().satisfies(this::assertSucceededByAdmin);
        assertThat(audit("vm.snapshot.revert", vm + "/before-change")).singleElement().satisfies(this::assertSucceededByAdmin);
        assertThat(audit("vm.snapshot.delete", vm + "/before-change")).singleElement().satisfies(this::assertSucceededByAdmin);
        assertThat(audit("vm.tags", vm)).hasSize(2).allSatisfy(e -> assertSucceededByAdmin(e));
        assertThat(audit("vm.clone", vm)).singleElement().satisfies(e -> {
            assertSucceededByAdmin(e);
            assertThat(e.path("detail").asString()).contains(clone);
        });
        assertThat(browser.errors()).isEmpty();
    }

    @Test
    void markupInANameTitleDescriptionOrTagIsShownAsText() throws Exception {
        String vm = vms.name("<b>x\"onmouseover=");
        String title = "<img src=x onerror=alert(1)>";
        String description = "<script>alert(2)</script> & <img src=y onerror=alert(3)>";
        String tag = "<img src=z onerror=alert(4)>";
        Path disk = TestVms.qcow2(dir, "markup-vda.qcow2", 64 * TestVms.MIB);
        String xml = TestVms.domainXml(vm, List.of(disk), false)
                .replace("<name>" + vm + "</name>", "<name>" + escape(vm) + "</name><title>" + escape(title) + "</title>"
                        + "<description>" + escape(description) + "</description><metadata><lifeboat:tags xmlns:lifeboat='"
                        + VmTags.NAMESPACE + "'><lifeboat:tag>" + escape(tag) + "</lifeboat:tag></lifeboat:tags></metadata>");
        Path file = dir.resolve("markup.xml");
        Files.writeString(file, xml);
        TestVms.run("virsh", "-c", TestVms.URI, "define", file.toString());
        JsonNode shown = admin().get("/api/vms/" + java.net.URLEncoder.encode(vm, java.nio.charset.StandardCharsets.UTF_8)
                .replace("+", "%20")).body();
        assertThat(shown.path("title").asString()).isEqualTo(title);
        assertThat(shown.path("description").asString()).isEqualTo(description);
        assertThat(shown.path("tags").toString()).isEqualTo(new tools.jackson.databind.json.JsonMapper()
                .writeValueAsString(List.of(tag)));

        browser.page("#/vms");
        browser.js("window.__alerted = []; window.alert = (m) => window.__alerted.push(String(m));");
        browser.type(By.id("vm-filter"), "onmouseover");
        WebElement link = browser.await(d -> d.findElements(By.cssSelector("main a[data-vm]")).stream()
                .filter(a -> vm.equals(a.getAttribute("data-vm"))).findFirst().orElse(null));
        assertThat(link.getText()).isEqualTo(vm);
        WebElement row = link.findElement(By.xpath("./ancestor::tr"));
        assertThat(row.findElement(By.cssSelector("[data-testid=vm-title]")).getText()).isEqualTo(title);
        assertThat(row.findElement(By.cssSelector("[data-tag]")).getText()).isEqualTo(tag);
        assertNoMarkupRan();

        link.click();
        browser.await(d -> vm.equals(browser.text(By.cssSelector("main h1"))));
        assertThat(browser.text(By.cssSelector("[data-testid=vm-title]"))).isEqualTo(title);
        assertThat(browser.text(By.cssSelector("[data-testid=vm-description]"))).isEqualTo(description);
        assertThat(browser.text(By.cssSelector("[data-testid=vm-tags] [data-tag]"))).isEqualTo(tag);
        assertThat(browser.js("return document.title")).asString().startsWith(vm);
        assertNoMarkupRan();
        browser.screenshot("vm-markup");
        // A name the restore point API refuses (it is no name Lifeboat would give): the page says "no
        // restore points" instead; that 400 is the only failed load.
        assertThat(browser.errors()).allSatisfy(e -> assertThat(e).contains("restore-points").contains("400"));
    }

    @Test
    void bothPagesFitATabletWithoutScrollingSideways() throws Exception {
        String vm = defineVm("tablet", TestVms.MIB, 0x74);
        assertThat(admin().put("/api/vms/" + vm + "/tags", JSON, "[\"prod\",\"tablet\"]").status()).isEqualTo(200);
        try (Browser tablet = Browser.open(port, 768, 1024)) {
            tablet.login("admin", ADMIN_PASSWORD);
            tablet.page("#/vms");
            tablet.type(By.id("vm-filter"), vm);
            tablet.awaitText(By.cssSelector("[data-testid=vm-count]"), "1 of ");
            assertThat(tablet.js("return document.documentElement.scrollWidth <= window.innerWidth")).isEqualTo(true);
            tablet.screenshot("vms-tablet");
            tablet.page("#/vm/" + vm);
            tablet.awaitText(By.cssSelector("[data-testid=vm-tags]"), "tablet");
            assertThat(tablet.js("return document.documentElement.scrollWidth <= window.innerWidth")).isEqualTo(true);
            tablet.screenshot("vm-tablet");
            assertThat(tablet.errors()).isEmpty();
        }
    }

    private void assertNoMarkupRan() {
        assertThat(browser.all(By.cssSelector("main img, main script, main b"))).isEmpty();
        assertThat(browser.js("return window.__alerted.length")).isEqualTo(0L);
        assertThatThrownBy(() -> browser.driver().switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
    }

    private WebElement row(String vm) {
        return browser.find(By.xpath("//tr[.//a[@data-vm='" + vm + "']]"));
    }

    /** How many times the page fetched this job (GET /api/jobs/{id}), from the browser's resource timing. */
    private long jobRequests(String id) {
        Object n = browser.js("return performance.getEntriesByType('resource')"
                + ".filter((e) => new URL(e.name).pathname === '/api/jobs/' + arguments[0]).length", id);
        return (Long) n;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&apos;");
    }
}
