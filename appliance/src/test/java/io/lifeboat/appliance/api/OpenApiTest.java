package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class OpenApiTest extends RunningAppliance {

    @Test
    void specListsTheEndpointsAndBasicAuthentication() throws Exception {
        ApiClient.Reply reply = admin().get("/v3/api-docs");

        assertThat(reply.status()).isEqualTo(200);
        JsonNode paths = reply.body().path("paths");
        assertThat(paths.path("/api/restore-points").has("get")).isTrue();
        assertThat(paths.path("/api/restore-points/{vm}/{time}").has("get")).isTrue();
        assertThat(paths.path("/api/restore-points/{vm}/{time}").has("delete")).isTrue();
        assertThat(paths.path("/api/restore-points/{vm}/{time}").has("patch")).isTrue();
        assertThat(paths.path("/api/restore-points/{vm}/{time}/diff/{otherTime}").has("get")).isTrue();
        assertThat(paths.path("/api/audit").has("get")).isTrue();
        assertThat(reply.body().path("components").path("schemas").path("RestorePointView").path("properties")
                .has("protected")).isTrue();
        assertThat(paths.path("/api/jobs").has("get")).isTrue();
        assertThat(paths.path("/api/jobs/{id}").has("get")).isTrue();
        assertThat(reply.body().path("components").path("securitySchemes").path("basic").path("scheme").asString())
                .isEqualTo("basic");
    }

    @Test
    void interactivePageIsServed() throws Exception {
        ApiClient.Reply page = admin().get("/swagger-ui.html");

        assertThat(page.status()).isEqualTo(302);
        assertThat(admin().get(page.location().replaceFirst("^https?://[^/]+", "")).text()).contains("swagger");
    }
}
