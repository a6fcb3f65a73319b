package io.lifeboat.appliance.console;

import io.lifeboat.appliance.api.LibvirtAppliance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;

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
    }

    @AfterAll
    static void closeBrowser() {
        if (shared != null) {
            shared.close();
            shared = null;
        }
    }
}
