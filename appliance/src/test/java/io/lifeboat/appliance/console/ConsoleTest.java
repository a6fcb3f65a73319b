package io.lifeboat.appliance.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.lifeboat.appliance.api.ApiClient;
import io.lifeboat.appliance.api.LibvirtAppliance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import tools.jackson.databind.JsonNode;

/**
 * A browser test of the console: the whole appliance on a random port managing the real
 * libvirtd (see {@link LibvirtAppliance}), and one headless Chromium per test class, logged in as
 * the admin before each test.
 */
public abstract class ConsoleTest extends LibvirtAppliance {

    private static Browser shared;
    private static int sharedPort;

    protected Browser browser;

    @BeforeEach
    void openBrowser() {
        if (shared != null && sharedPort != port) {
            shared.close();
            shared = null;
        }
        if (shared == null) {
            shared = Browser.open(port);
            sharedPort = port;
        }
        browser = shared;
        browser.login("admin", ADMIN_PASSWORD);
        browser.errors(); // what an earlier test left in the browser's log is that test's
    }

    @AfterAll
    static void closeBrowser() {
        if (shared != null) {
            shared.close();
            shared = null;
        }
    }

    /** The audit entries of {@code action} on {@code target}, newest first. */
    protected List<JsonNode> audit(String action, String target) throws Exception {
        ApiClient.Reply reply = admin().get("/api/audit?limit=500&action=" + action + "&target="
                + URLEncoder.encode(target, StandardCharsets.UTF_8));
        assertThat(reply.status()).isEqualTo(200);
        List<JsonNode> entries = new ArrayList<>();
        reply.body().path("entries").forEach(entries::add);
        return entries;
    }

    /** What the console's audit page shows for {@code action} on {@code target}: its table, as text. */
    protected String auditPage(String action, String target) {
        browser.page("#/audit?action=" + URLEncoder.encode(action, StandardCharsets.UTF_8) + "&target="
                + URLEncoder.encode(target, StandardCharsets.UTF_8));
        return browser.find(org.openqa.selenium.By.cssSelector("main table[aria-label='Audit log']")).getText();
    }

    protected void assertSucceededByAdmin(JsonNode entry) {
        assertThat(Map.of("user", entry.path("user").asString(), "outcome", entry.path("outcome").asString()))
                .isEqualTo(Map.of("user", "admin", "outcome", "SUCCEEDED"));
    }
}
