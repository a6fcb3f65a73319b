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
 * the disk had (fetched with the page's own session); a directory's tar link answers a tar. The
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

        browser.click(By.cssSelector("[data-testid=up]"));
        browser.click(By.cssSelector("a[data-dir=var]"));
        browser.click(By.cssSelector("a[data-dir=log]"));
        assertThat(browser.find(By.cssSelector("a[data-file=syslog]")).getText()).isEqualTo("syslog");
        assertThat(browser.all(By.cssSelector("main b"))).isEmpty();
        Object tarSize = browser.js("return fetch(document.querySelector('[data-testid=tar]').href)"
                + ".then(r => r.arrayBuffer()).then(b => b.byteLength)");
        assertThat((Long) tarSize).as("a tar of /var/log: at least a header and the file's block").isGreaterThanOrEqualTo(1024L);

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
        assertThat(browser.errors()).isEmpty();
    }

    /** GETs a URL from the page, with its session, as its download link would: the body as text. */
    private String fetch(String href) {
        return (String) browser.js("return fetch(arguments[0]).then(r => r.text())", href);
    }
}
