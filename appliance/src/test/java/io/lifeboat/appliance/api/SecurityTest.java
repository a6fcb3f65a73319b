package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecurityTest extends RunningAppliance {

    @ParameterizedTest
    @ValueSource(strings = {"/api/jobs", "/api/restore-points", "/actuator/info", "/v3/api-docs", "/api/no/such/path"})
    void everyApiRouteButHealthNeedsCredentials(String path) throws Exception {
        ApiClient.Reply reply = anonymous().get(path);

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.wwwAuthenticate()).startsWith("Basic ");
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.body().path("status").asInt()).isEqualTo(401);
        assertThat(reply.body().path("title").asString()).isEqualTo("Unauthorized");
        assertThat(reply.body().path("detail").asString()).contains("HTTP Basic");
    }

    /** Pages, the Swagger UI among them, send a browser without a session to the console's login page. */
    @ParameterizedTest
    @ValueSource(strings = {"/swagger-ui.html", "/no/such/path", "/"})
    void everyPageNeedsALogin(String path) throws Exception {
        ApiClient.Reply reply = anonymous().get(path);

        assertThat(reply.status()).isEqualTo(302);
        assertThat(reply.location()).endsWith("/login");
    }

    @Test
    void wrongPasswordIs401() throws Exception {
        ApiClient.Reply reply = new ApiClient(port, "admin", "not the password").get("/api/jobs");

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.body().path("status").asInt()).isEqualTo(401);
    }

    @Test
    void unknownUserIs401() throws Exception {
        assertThat(new ApiClient(port, "mallory", ADMIN_PASSWORD).get("/api/jobs").status()).isEqualTo(401);
    }

    @Test
    void adminPasswordFromTheEnvironmentWorks() throws Exception {
        assertThat(admin().get("/api/jobs").status()).isEqualTo(200);
        assertThat(admin().get("/actuator/info").status()).isEqualTo(200);
    }

    @Test
    void healthIsPublicButItsDetailsAreNot() throws Exception {
        ApiClient.Reply reply = anonymous().get("/actuator/health");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().path("status").asString()).isEqualTo("UP");
        assertThat(reply.body().has("components")).isFalse();
        assertThat(admin().get("/actuator/health").body().path("components").path("store").isObject()).isTrue();
    }

    @Test
    void unknownPathForAUserIs404Problem() throws Exception {
        ApiClient.Reply reply = admin().get("/api/no-such-thing");

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.body().path("status").asInt()).isEqualTo(404);
    }
}
