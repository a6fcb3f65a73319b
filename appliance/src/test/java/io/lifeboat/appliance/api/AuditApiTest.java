package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@code GET /api/audit}: entries of real actions, keyset paging, filters and bad parameters. */
class AuditApiTest extends LibvirtAppliance {

    @Test
    void entriesOfRealActionsNewestFirstWithEveryField() throws Exception {
        String vm = defineVm("audit", 0);
        assertThat(admin().put("/api/vms/" + vm + "/tags", JSON, "[\"audited\"]").status()).isEqualTo(200);
        String missing = vms.name("auditmissing");
        assertThat(admin().post("/api/vms/" + missing + "/start").status()).isEqualTo(404);

        ApiClient.Reply reply = admin().get("/api/audit?limit=500");

        assertThat(reply.status()).isEqualTo(200);
        JsonNode entries = reply.body().path("entries");
        List<Long> ids = ids(entries);
        assertThat(ids).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        JsonNode tags = only(admin().get("/api/audit?target=" + vm + "&action=vm.tags").body());
        assertThat(tags.path("user").asString()).isEqualTo("admin");
        assertThat(tags.path("outcome").asString()).isEqualTo("SUCCEEDED");
        assertThat(tags.path("detail").asString()).contains("audited");
        assertThat(Instant.parse(tags.path("time").asString())).isBeforeOrEqualTo(Instant.now());
        assertThat(tags.path("id").asLong()).isPositive();
        JsonNode failed = only(admin().get("/api/audit?target=" + missing).body());
        assertThat(failed.path("action").asString()).isEqualTo("vm.start");
        assertThat(failed.path("outcome").asString()).isEqualTo("FAILED");
        assertThat(failed.path("detail").asString()).contains(missing);
        assertThat(failed.path("id").asLong()).isGreaterThan(tags.path("id").asLong());
    }

    @Test
    void pagesFollowEachOtherWithoutGapsOrDuplicates() throws Exception {
        String vm = defineVm("auditpages", 0);
        for (int i = 0; i < 7; i++) {
            assertThat(admin().put("/api/vms/" + vm + "/tags", JSON, "[\"t" + i + "\"]").status()).isEqualTo(200);
        }
        List<Long> all = ids(admin().get("/api/audit?limit=500&target=" + vm).body().path("entries"));
        assertThat(all).hasSize(7);

        List<Long> paged = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String next = null;
        do {
            JsonNode page = admin().get("/api/audit?limit=3&target=" + vm + (next == null ? "" : "&before=" + next)).body();
            List<Long> ids = ids(page.path("entries"));
            sizes.add(ids.size());
            paged.addAll(ids);
            next = page.path("next").isNull() ? null : page.path("next").asString();
            if (next != null) {
                assertThat(Long.parseLong(next)).isEqualTo(ids.get(ids.size() - 1));
            }
        } while (next != null);

        assertThat(sizes).containsExactly(3, 3, 1);
        assertThat(paged).isEqualTo(all);
        JsonNode exact = admin().get("/api/audit?limit=7&target=" + vm).body();
        assertThat(exact.path("entries").size()).isEqualTo(7);
        assertThat(exact.path("next").isNull()).as("no empty page after a full last one").isTrue();
    }

    @Test
    void eachFilterSelectsExactly() throws Exception {
        Instant start = Instant.now();
        String vm = defineVm("auditfilter", 0);
        assertThat(admin().put("/api/vms/" + vm + "/tags", JSON, "[\"f\"]").status()).isEqualTo(200);
        String missing = vms.name("auditfiltermissing");
        admin().post("/api/vms/" + missing + "/start");
        admin().post("/api/vms/" + missing + "/force-off");

        assertThat(entries("user=admin&target=" + vm)).hasSize(1);
        assertThat(entries("user=nobody&target=" + vm)).isEmpty();
        assertThat(entries("target=" + missing)).hasSize(2);
        assertThat(entries("target=" + missing + "&action=vm.start").findValuesAsString("action")).containsExactly("vm.start");
        assertThat(entries("target=" + missing + "&action=vm.").findValuesAsString("action"))
                .containsExactly("vm.force-off", "vm.start");
        assertThat(entries("target=" + missing + "&action=vm")).as("exact unless it ends with '.'").isEmpty();
        assertThat(entries("target=" + missing + "&action=vm.st")).isEmpty();
        assertThat(entries("target=" + missing + "&outcome=FAILED")).hasSize(2);
        assertThat(entries("target=" + missing + "&outcome=SUCCEEDED")).isEmpty();
        assertThat(entries("action=vm.&outcome=FAILED").findValuesAsString("outcome")).containsOnly("FAILED");
        JsonNode since = entries("since=" + start);
        assertThat(since.findValuesAsString("target")).contains(vm, missing);
        assertThat(since.findValuesAsString("time")).allSatisfy(t -> assertThat(Instant.parse(t)).isAfterOrEqualTo(start));
        assertThat(entries("target=" + vm + "&since=" + Instant.now().plusSeconds(3600))).isEmpty();
    }

    @Test
    void badParametersAre400Problems() throws Exception {
        for (String query : List.of("limit=0", "limit=501", "limit=many", "outcome=MAYBE", "since=yesterday", "before=x")) {
            ApiClient.Reply reply = admin().get("/api/audit?" + query);
            assertThat(reply.status()).as(query).isEqualTo(400);
            assertThat(reply.contentType()).as(query).startsWith("application/problem+json");
        }
        assertThat(admin().get("/api/audit?limit=501").body().path("detail").asString())
                .isEqualTo("limit must be between 1 and 500, not 501");
        assertThat(admin().get("/api/audit?outcome=MAYBE").body().path("detail").asString()).contains("outcome");
        assertThat(admin().get("/api/audit?since=yesterday").body().path("detail").asString()).contains("since");
        assertThat(admin().get("/api/audit?limit=1").body().path("entries").size()).isEqualTo(1);
        assertThat(admin().get("/api/audit?limit=500").status()).isEqualTo(200);
        assertThat(anonymous().get("/api/audit").status()).isEqualTo(401);
    }

    private JsonNode entries(String query) throws Exception {
        ApiClient.Reply reply = admin().get("/api/audit?limit=500&" + query);
        assertThat(reply.status()).as(query + ": " + reply.text()).isEqualTo(200);
        return reply.body().path("entries");
    }

    private static JsonNode only(JsonNode page) {
        assertThat(page.path("entries").size()).as(page.toString()).isEqualTo(1);
        return page.path("entries").get(0);
    }

    private static List<Long> ids(JsonNode entries) {
        List<Long> ids = new ArrayList<>();
        entries.forEach(e -> ids.add(e.path("id").asLong()));
        return ids;
    }
}
