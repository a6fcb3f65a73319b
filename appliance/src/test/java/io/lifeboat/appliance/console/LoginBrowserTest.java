package io.lifeboat.appliance.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.appliance.api.RunningAppliance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** Logging in and out of the console in a real browser, and where a browser without a session ends up. */
class LoginBrowserTest extends RunningAppliance {

    Browser browser;

    @BeforeEach
    void open() {
        browser = Browser.open(port);
    }

    @AfterEach
    void close() {
        browser.close();
    }

    @Test
    void aConsolePageWithoutASessionShowsTheLoginPageThenTheConsole() {
        browser.go("/#/jobs");
        browser.await(ExpectedConditions.urlContains("/login"));
        browser.screenshot("login");
        browser.type(By.id("username"), "admin");
        browser.type(By.id("password"), "wrong");
        browser.click(By.cssSelector("form button[type=submit]"));
        assertThat(browser.awaitText(By.id("message"), "Wrong user or password").isDisplayed()).isTrue();

        browser.login("admin", ADMIN_PASSWORD);
        assertThat(browser.find(By.cssSelector(".who .user")).getText()).isEqualTo("admin");
        browser.page("#/");
        assertThat(browser.text(By.cssSelector("main h1"))).isEqualTo("Dashboard");
        assertThat(browser.errors()).isEmpty();

        browser.click(By.cssSelector(".who button"));
        browser.awaitText(By.id("message"), "You are logged out");
        browser.go("/");
        browser.await(ExpectedConditions.urlContains("/login"));
    }

    @Test
    void theAuditLogRecordsLoginsAndFailedAttempts() throws Exception {
        browser.go("/login");
        browser.type(By.id("username"), "mallory");
        browser.type(By.id("password"), "guess");
        browser.click(By.cssSelector("form button[type=submit]"));
        browser.awaitText(By.id("message"), "Wrong user or password");
        browser.login("admin", ADMIN_PASSWORD);

        String audit = admin().get("/api/audit?action=session.").text();
        assertThat(audit).contains("\"user\":\"mallory\"").contains("DENIED").contains("\"user\":\"admin\"");
    }
}
