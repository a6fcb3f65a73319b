package io.lifeboat.appliance.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import io.lifeboat.appliance.api.RunningAppliance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The console's way in, over plain HTTP: what a browser without, and with, a session gets. */
class ConsoleSecurityTest extends RunningAppliance {

    @ParameterizedTest
    @ValueSource(strings = {"/", "/index.html", "/assets/pages/dashboard.js", "/swagger-ui.html", "/logout"})
    void aPageWithoutASessionRedirectsToTheLoginPage(String path) throws Exception {
        HttpResponse<String> r = new FormSession(port).get(path, "Accept", "text/html");
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/vms", "/api/session", "/api/jobs", "/api/audit", "/api/dashboard", "/api/jobs/events",
        "/v3/api-docs", "/actuator/prometheus"})
    void anApiRouteWithoutCredentialsAnswers401(String path) throws Exception {
        HttpResponse<String> script = new FormSession(port).get(path, "Accept", "text/html");
        assertThat(script.statusCode()).as(path).isEqualTo(401);
        assertThat(script.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"Lifeboat\"");
        // the console's own requests get no challenge a browser would answer with its password dialog
        HttpResponse<String> console = new FormSession(port).get(path, "X-Requested-With", "lifeboat-console");
        assertThat(console.statusCode()).isEqualTo(401);
        assertThat(console.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("FormLogin"));
        assertThat(console.body()).contains("/login");
    }

    @Test
    void theLoginPageAndWhatItLoadsNeedNoSession() throws Exception {
        FormSession browser = new FormSession(port);
        HttpResponse<String> page = browser.get("/login");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<form", "name=\"_csrf\"");
        assertThat(browser.csrf()).as("the CSRF cookie the form copies").isNotBlank();
        assertThat(browser.get("/assets/login.js").statusCode()).isEqualTo(200);
        assertThat(browser.get("/assets/console.css").statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                csp -> assertThat(csp).contains("script-src 'self'"));
    }

    @Test
    void aLoginPostWithoutTheCsrfTokenIsRefused() throws Exception {
        FormSession browser = new FormSession(port);
        HttpResponse<String> r = browser.login("admin", ADMIN_PASSWORD, false);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(browser.get("/api/session", "X-Requested-With", "x").statusCode()).as("not logged in").isEqualTo(401);
    }

    @Test
    void aWrongPasswordGoesBackToTheLoginPageWithAnError() throws Exception {
        FormSession browser = new FormSession(port);
        HttpResponse<String> r = browser.login("admin", "wrong", true);
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login?error"));
        assertThat(browser.get("/api/session", "X-Requested-With", "x").statusCode()).isEqualTo(401);
    }

    @Test
    void aLoginSetsAHttpOnlySecureSameSiteSessionCookie() throws Exception {
        FormSession browser = new FormSession(port);
        HttpResponse<String> r = browser.login("admin", ADMIN_PASSWORD, true);
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/"));
        String session = browser.lastSetCookies.stream().filter(c -> c.startsWith("LIFEBOAT_SESSION=")).findFirst().orElseThrow();
        assertThat(session).contains("HttpOnly").contains("Secure").containsIgnoringCase("SameSite=Strict");
        HttpResponse<String> me = browser.get("/api/session");
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(me.body()).contains("\"user\":\"admin\"").contains("\"header\":\"X-XSRF-TOKEN\"");
        assertThat(browser.get("/", "Accept", "text/html").body()).contains("/assets/app.js");
    }

    @Test
    void aSessionRequestThatChangesSomethingNeedsTheCsrfToken() throws Exception {
        FormSession browser = new FormSession(port);
        browser.login("admin", ADMIN_PASSWORD, true);
        browser.get("/api/session");
        String body = "{\"tags\":[\"x\"]}";
        HttpResponse<String> without = browser.post("/api/store/verify", "application/json", body);
        assertThat(without.statusCode()).isEqualTo(403);
        HttpResponse<String> forged = browser.post("/api/store/verify", "application/json", body, "X-XSRF-TOKEN", "forged");
        assertThat(forged.statusCode()).isEqualTo(403);
        HttpResponse<String> with = browser.post("/api/store/verify", "application/json", body, "X-XSRF-TOKEN", browser.csrf());
        assertThat(with.statusCode()).as(with.body()).isEqualTo(202);
    }

    @Test
    void scriptsWithBasicCredentialsNeedNoTokenAndGetNoSession() throws Exception {
        FormSession script = new FormSession(port);
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD).getBytes());
        HttpResponse<String> r = script.post("/api/store/verify", "application/json", "{}", "Authorization", basic);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(script.cookies).isEmpty();
    }

    @Test
    void loggingOutEndsTheSession() throws Exception {
        FormSession browser = new FormSession(port);
        browser.login("admin", ADMIN_PASSWORD, true);
        assertThat(browser.get("/api/session").statusCode()).isEqualTo(200);
        String session = browser.cookies.get("LIFEBOAT_SESSION");
        HttpResponse<String> out = browser.post("/logout", "application/x-www-form-urlencoded", "_csrf=" + FormSession.enc(browser.csrf()));
        assertThat(out.statusCode()).isEqualTo(302);
        browser.cookies.put("LIFEBOAT_SESSION", session);
        assertThat(browser.get("/api/session", "X-Requested-With", "x").statusCode()).as("the old cookie is worthless").isEqualTo(401);
    }
}
