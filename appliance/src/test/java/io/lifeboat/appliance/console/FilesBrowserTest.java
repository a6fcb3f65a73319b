package io.lifeboat.appliance.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.lifeboat.appliance.inventory.TestVms;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The console's file browser ({@code #/files/<vm>/<time>}) in a real browser: a VM whose disk
 * holds an ext4 file system with known files is backed up for real; from its restore point's page
 * the user opens the files, walks into {@code /etc}, and the page's download links give the bytes
 * the disk had (fetched with the page's own session); a directory's tar and zip links answer a tar
 * and a zip. The
 * session is reused when the page is opened again, and closed with its button.
 */
class FilesBrowserTest extends ConsoleTest {

    private static final String HOSTNAME = "console01.example\n";

    @Test
    void browseARestorePointsFilesAndDownloadOne() throws Exception {
        String vm = vms.name("files");
        Path disk = TestVms.qcow2(dir, vm + "-vda.qcow2", 64 * TestVms.MIB);
        TestVms.run("env", "LIBGUESTFS_BACKEND=direct", "LIBGUESTFS_BACKEND_SETTINGS=force_tcg", "guestfish",
                "--format=qcow2", "-a", disk.toString(), "--",
                "run", ":", "part-disk", "/dev/sda", "gpt", ":", "mkfs", "ext4", "/dev/sda1", "label:console",
                ":", "mount", "/dev/sda1", "/", ":", "mkdir-p", "/etc", ":", "write", "/etc/hostname", HOSTNAME,
                ":", "mkdir-p", "/var/log", ":", "write", "/var/log/syslog", "<b>logged</b>\n", ":", "umount-all");
        assertThat(admin().post("/api/vms", XML, TestVms.domainXml(vm, List.of(disk), false)).status()).isEqualTo(201);
        String point = backUp(vm);

        browser.page("#/points/" + point);
        browser.click(By.cssSelector("[data-action=files]"));
        browser.await(d -> !d.findElements(By.cssSelector("main table[aria-label=Directory]")).isEmpty(), Duration.ofMinutes(3));
        assertThat(browser.text(By.id("f-fs"))).contains("/dev/sda1").contains("ext4").contains("console");
        browser.click(By.cssSelector("a[data-dir=etc]"));
        browser.awaitText(By.cssSelector("[data-testid=crumbs]"), "etc");
        String row = browser.find(By.xpath("//tr[.//a[@data-file='hostname']]")).getText();
        assertThat(row).contains("file").contains(HOSTNAME.length() + " B").contains("0644");
        browser.screenshot("files");

        String href = browser.find(By.cssSelector("a[data-file=hostname]")).getAttribute("href");
        assertThat(fetch(href)).isEqualTo(HOSTNAME);

        // putting a file back: the form offers the VM, the appliance's refusal is shown (a VM with no
        // operating system here never runs an agent; the real put-back is FileRestoreLayoutsTest's)
        browser.click(By.cssSelector("[data-put-back=hostname]"));
        assertThat(browser.find(By.id("pb-target")).getDomProperty("value")).isEqualTo("/etc/hostname");
        assertThat(browser.find(By.cssSelector("#pb-vm option:checked")).getText()).startsWith(vm);
        browser.click(By.cssSelector("[data-action=put-back]"));
        browser.awaitText(By.id("toasts"), "is not running");
        assertThat(browser.all(By.cssSelector("[data-testid=put-back-form]"))).as("kept open to try again").hasSize(1);
        String putFrom = (String) browser.js("return sessionStorage.getItem('lifeboat.files.' + arguments[0])", point);
        assertThat(audit("file-session.put-back", putFrom)).singleElement().satisfies(e -> {
            assertThat(e.path("outcome").asString()).isEqualTo("FAILED");
            assertThat(e.path("detail").asString()).contains("is not running");
        });

        browser.click(By.cssSelector("[data-testid=up]"));
        browser.click(By.cssSelector("a[data-dir=var]"));
        browser.click(By.cssSelector("a[data-dir=log]"));
        assertThat(browser.find(By.cssSelector("a[data-file=syslog]")).getText()).isEqualTo("syslog");
        assertThat(browser.all(By.cssSelector("main b"))).isEmpty();
        Object tarSize = browser.js("return fetch(document.querySelector('[data-testid=tar]').href)"
                + ".then(r => r.arrayBuffer()).then(b => b.byteLength)");
        assertThat((Long) tarSize).as("a tar of /var/log: at least a header and the file's block").isGreaterThanOrEqualTo(1024L);
        Object zip = browser.js("return fetch(document.querySelector('[data-testid=zip]').href)"
                + ".then(r => r.arrayBuffer()).then(b => { const u = new Uint8Array(b);"
                + " return String.fromCharCode(u[0], u[1], u[2], u[3]) + ' ' + new TextDecoder('latin1').decode(u).includes('syslog'); })");
        assertThat(zip).as("a zip of /var/log: a local file header, then syslog's").isEqualTo("PK\u0003\u0004 true");

        // opened again: the same session, no second appliance
        String session = (String) browser.js("return sessionStorage.getItem('lifeboat.files.' + arguments[0])", point);
        browser.page("#/points/" + point);
        browser.click(By.cssSelector("[data-action=files]"));
        browser.find(By.cssSelector("main table[aria-label=Directory]"));
        assertThat(browser.js("return sessionStorage.getItem('lifeboat.files.' + arguments[0])", point)).isEqualTo(session);
        assertThat(admin().get("/api/file-sessions/" + session).status()).isEqualTo(200);

        browser.click(By.cssSelector("[data-action=close]"));
        browser.awaitText(By.id("toasts"), "File restore session closed");
        assertThat(admin().get("/api/file-sessions/" + session).status()).isEqualTo(404);
        assertThat(audit("restore-point.files", point)).singleElement().satisfies(this::assertSucceededByAdmin);
        assertThat(audit("file-session.download", session)).hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(this::assertSucceededByAdmin);
        assertThat(browser.errors()).as("the refused put-back is the only failed request")
                .singleElement().asString().contains("/put-back").contains("409");
    }

    /** GETs a URL from the page, with its session, as its download link would: the body as text. */
    private String fetch(String href) {
        return (String) browser.js("return fetch(arguments[0]).then(r => r.text())", href);
    }
}
