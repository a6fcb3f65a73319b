package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Bad policy input gets one 400 naming every bad field, and saves nothing (no policy, no Quartz
 * job); a selection that matches no VM is saved with a warning.
 */
class PolicyBadInputTest extends LibvirtAppliance {

    private static final String JSON = "application/json";

    private static String body(String name, String more) {
        return "{\"name\": \"" + name + "\", \"selection\": {\"globs\": [\"lbtest-nothing-*\"]},"
                + " \"cron\": \"0 0 2 * * ?\", \"timeZone\": \"Europe/Berlin\"" + more + "}";
    }

    private List<String> fields(JsonNode problem) {
        List<String> fields = new ArrayList<>();
        problem.path("violations").forEach(v -> fields.add(v.path("field").asString()));
        return fields;
    }

    private void assertNothingSaved(String name) throws Exception {
        assertThat(admin().get("/api/policies/" + name).status()).isEqualTo(404);
    }

    @Test
    void everyBadFieldIsNamedInOne400AndNothingIsSaved() throws Exception {
        String bad = "{\"name\": \"bad-all\", \"selection\": {\"names\": [\"x\"]}, \"cron\": \"0 30 22 * * MON-FRI\","
                + " \"timeZone\": \"Mars/Olympus_Mons\", \"window\": {\"start\": \"22:00\", \"end\": \"02:00\"},"
                + " \"retention\": {\"keep-daily\": -1, \"keep-forever\": 3}}";
        ApiClient.Reply r = admin().post("/api/policies", JSON, bad);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.contentType()).contains("problem+json");
        assertThat(fields(r.body())).containsExactlyInAnyOrder("cron", "timeZone", "window", "retention.keep-daily",
                "retention.keep-forever");
        assertThat(r.text()).contains("unknown time zone 'Mars/Olympus_Mons'")
                .contains("window end 02:00 is before its start 22:00")
                .contains("keep-daily must be 0 or more, was -1");
        assertNothingSaved("bad-all");
    }

    @Test
    void eachKindOfBadInputAloneIsA400() throws Exception {
        String[][] cases = {
                {"bad-cron", body("bad-cron", "").replace("0 0 2 * * ?", "61 * * * * ?"), "cron"},
                {"bad-window", body("bad-window", ", \"window\": {\"start\": \"05:00\", \"end\": \"04:00\"}"), "window"},
                {"bad-keep", body("bad-keep", ", \"retention\": {\"keep-last\": -2}"), "retention.keep-last"},
                {"bad-zone", body("bad-zone", "").replace("Europe/Berlin", "Europe/Atlantis"), "timeZone"},
                {"bad-misfire", body("bad-misfire", ", \"misfire\": \"SOMETIMES\""), "misfire"},
        };
        for (String[] c : cases) {
            ApiClient.Reply r = admin().post("/api/policies", JSON, c[1]);
            assertThat(r.status()).as(c[0]).isEqualTo(400);
            assertThat(fields(r.body())).as(c[0]).containsExactly(c[2]);
            assertNothingSaved(c[0]);
        }
    }

    @Test
    void aSelectionMatchingNoVmIsSavedWithAWarning() throws Exception {
        ApiClient.Reply r = admin().post("/api/policies", JSON, body("matches-nothing", ""));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(r.body().path("warnings").get(0).asString()).contains("matches no VM");
        JsonNode shown = admin().get("/api/policies/matches-nothing").body();
        assertThat(shown.path("nextFireTimes").path("backup")).hasSize(5);
        assertThat(shown.path("definition").path("misfire").asString()).isEqualTo("RUN_ONCE_IF_IN_WINDOW");

        ApiClient.Reply again = admin().post("/api/policies", JSON, body("matches-nothing", ""));
        assertThat(again.status()).isEqualTo(409);

        ApiClient.Reply badUpdate = admin().put("/api/policies/matches-nothing", JSON,
                body("matches-nothing", ", \"retention\": {\"keep-weekly\": -1}"));
        assertThat(badUpdate.status()).isEqualTo(400);
        assertThat(admin().get("/api/policies/matches-nothing").body().path("definition").path("retention")
                .path("keep-weekly").asInt()).isZero();

        assertThat(admin().delete("/api/policies/matches-nothing").status()).isEqualTo(204);
        assertNothingSaved("matches-nothing");
    }
}
