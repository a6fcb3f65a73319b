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
    void jobStartingEndpointsDeclareTheir202AndTheirProblems() throws Exception {
        JsonNode spec = admin().get("/v3/api-docs").body();
        JsonNode paths = spec.path("paths");

        JsonNode backup = paths.path("/api/vms/{vm}/backups").path("post").path("responses");
        assertThat(backup.has("200")).as("a backup answers 202, never 200: " + backup).isFalse();
        JsonNode accepted = backup.path("202").path("content").path("application/json").path("schema");
        assertThat(schema(spec, accepted).path("properties").has("jobId")).as(backup.toString()).isTrue();
        for (String code : new String[] {"400", "404", "409"}) {
            assertThat(backup.path(code).path("content").has("application/problem+json")).as(code + ": " + backup).isTrue();
        }

        assertStarts(spec, "/api/restore-points/{vm}/{time}/restore", "400", "404", "409");
        assertStarts(spec, "/api/restore-points/{vm}/{time}/instant-recovery", "400", "404", "409");
        assertStarts(spec, "/api/instant-recoveries/{id}/copy", "404", "409");
        assertStarts(spec, "/api/replication", "409", "422");
        assertStarts(spec, "/api/store/verify", "409");
        assertStarts(spec, "/api/store/gc", "400", "409");
        assertStarts(spec, "/api/policies/{name}/run", "400", "404");
    }

    @Test
    void jobEventsAreAnEventStream() throws Exception {
        JsonNode events = admin().get("/v3/api-docs").body().path("paths").path("/api/jobs/events").path("get");

        assertThat(events.path("responses").path("200").path("content").has("text/event-stream")).as(events.toString()).isTrue();
        assertThat(events.path("description").asString()).contains("snapshot", "another appliance");
    }

    private static void assertStarts(JsonNode spec, String path, String... problems) {
        JsonNode responses = spec.path("paths").path(path).path("post").path("responses");
        JsonNode schema = responses.path("202").path("content").path("application/json").path("schema");
        assertThat(schema(spec, schema).path("properties").isObject()).as(path + ": " + responses).isTrue();
        for (String code : problems) {
            assertThat(responses.path(code).path("content").path("application/problem+json").path("schema").isObject())
                    .as(path + " " + code + ": " + responses).isTrue();
        }
    }

    /** A schema, its {@code $ref} followed. */
    private static JsonNode schema(JsonNode spec, JsonNode schema) {
        String ref = schema.path("$ref").asString("");
        return ref.isEmpty() ? schema : spec.path("components").path("schemas").path(ref.substring(ref.lastIndexOf('/') + 1));
    }

    @Test
    void interactivePageIsServed() throws Exception {
        ApiClient.Reply page = admin().get("/swagger-ui.html");

        assertThat(page.status()).isEqualTo(302);
        assertThat(admin().get(page.location().replaceFirst("^https?://[^/]+", "")).text()).contains("swagger");
    }
}
