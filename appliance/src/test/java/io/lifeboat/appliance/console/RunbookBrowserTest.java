package io.lifeboat.appliance.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import io.lifeboat.appliance.inventory.TestVms;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The console's runbook pages in a real browser: a new runbook written in the editor, checked
 * (the problem shown at its line, the save refused and nothing stored), fixed, saved, shown in run
 * order, saved again as version 2, listed, and deleted after typing its name; audited.
 */
class RunbookBrowserTest extends ConsoleTest {

    @Test
    void writeCheckSaveVersionAndDeleteARunbook() throws Exception {
        String web = vms.name("rbweb");
        String db = vms.name("rbdb");
        for (String vm : List.of(web, db)) {
            Path disk = TestVms.qcow2(dir, vm + "-vda.qcow2", 4 * TestVms.MIB);
            assertThat(admin().post("/api/vms", XML, TestVms.domainXml(vm, List.of(disk), false)).status()).isEqualTo(201);
            backUp(vm);
        }
        String name = "rb-" + web.substring(web.lastIndexOf('-') + 1);

        browser.page("#/runbooks");
        browser.click(By.cssSelector("[data-testid=new-runbook]"));
        browser.type(By.id("rb-yaml"), "runbook: " + name + "\ngroups:\n  - name: web\n    vms:\n      - vm: " + web
                + "\n        cpus: 2\n");
        browser.click(By.cssSelector("[data-action=check]"));
        WebElement problems = browser.awaitText(By.cssSelector("[data-testid=problems]"), "line 6, column 9");
        assertThat(problems.getText()).contains("unknown key cpus in a VM");
        browser.click(By.cssSelector("[data-action=save]"));
        browser.awaitText(By.id("toasts"), "runbook refused");
        assertThat(admin().get("/api/runbooks/" + name).status()).as("nothing stored").isEqualTo(404);

        String good = "runbook: " + name + "\ndescription: the shop\ngroups:\n  - name: web\n    after: [db]\n    vms:\n"
                + "      - vm: " + web + "\n        vcpus: 2\n        checks:\n          - http: {port: 8000}\n"
                + "  - name: db\n    wait: 30s\n    vms:\n      - vm: " + db + "\n        mode: restore\n";
        browser.type(By.id("rb-yaml"), good);
        browser.click(By.cssSelector("[data-action=check]"));
        assertThat(browser.awaitText(By.cssSelector("[data-testid=valid]"), "db → web").getText())
                .contains("2 group(s)").contains("2 VM(s)");
        browser.click(By.cssSelector("[data-action=save]"));
        browser.awaitText(By.id("toasts"), "Saved " + name + " as version 1");
        browser.awaitText(By.cssSelector("[data-testid=run-order]"), web);
        assertThat(browser.all(By.cssSelector("[data-testid=run-order] > li")))
                .extracting(e -> e.getDomAttribute("data-group")).containsExactly("db", "web");
        String order = browser.text(By.cssSelector("[data-testid=run-order]"));
        assertThat(order).contains("full restore").contains("HTTP 8000/ → 200").contains("then wait 30.0 s")
                .contains("newest in the bucket");
        browser.screenshot("runbook");

        browser.type(By.id("rb-yaml"), good.replace("description: the shop", "description: the shop, second"));
        browser.click(By.cssSelector("[data-action=save]"));
        browser.awaitText(By.id("toasts"), "as version 2");
        browser.await(d -> d.findElements(By.cssSelector("main table[aria-label=Versions] tbody tr")).size() == 2);

        browser.page("#/runbooks");
        String row = browser.find(By.xpath("//tr[.//span[@data-runbook='" + name + "']]")).getText();
        assertThat(row).contains("db → web").contains("the shop, second");

        browser.page("#/runbooks/" + name);
        browser.click(By.cssSelector("[data-action=delete]"));
        browser.type(By.id("confirm-typed"), name);
        browser.click(By.cssSelector("[data-confirm]"));
        browser.awaitText(By.id("toasts"), "Runbook " + name + " deleted");
        assertThat(admin().get("/api/runbooks/" + name).status()).isEqualTo(404);

        assertThat(audit("runbook.save", name)).extracting(e -> e.path("outcome").asString())
                .containsExactlyInAnyOrder("FAILED", "SUCCEEDED", "SUCCEEDED");
        assertThat(audit("runbook.delete", name)).singleElement().satisfies(this::assertSucceededByAdmin);
        assertThat(browser.errors()).as("the refused save is the only failed request")
                .singleElement().asString().contains("/api/runbooks").contains("400");
    }
}
