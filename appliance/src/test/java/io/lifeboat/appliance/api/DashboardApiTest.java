package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.catalog.JobRepository;
import io.lifeboat.appliance.inventory.TestVms;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** GET /api/dashboard over real libvirt VMs: protection against a policy's RPO, store totals, history, failures. */
class DashboardApiTest extends LibvirtAppliance {

    @Autowired
    JobRepository jobs;

    String policy;

    @AfterEach
    void removePolicy() throws Exception {
        if (policy != null) {
            admin().delete("/api/policies/" + policy);
        }
    }

    @Test
    void eachVmOfTheHostIsJudgedAgainstItsPolicysRpo() throws Exception {
        String backedUp = defineVm("dash-ok", 3 * TestVms.MIB, 0x31);
        String never = defineVm("dash-never", 0);
        String unprotected = defineVm("dash-free", 0);
        policy = "dash-" + backedUp.substring(backedUp.length() - 6);
        ApiClient.Reply created = admin().post("/api/policies", JSON, "{\"name\": \"" + policy + "\", \"selection\":"
                + " {\"names\": [\"" + backedUp + "\", \"" + never + "\"]}, \"cron\": \"0 0 3 * * ?\", \"timeZone\": \"UTC\"}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String point = backUp(backedUp);
        Job failed = jobs.create(Job.Kind.BACKUP, never);
        jobs.start(failed.id());
        jobs.finish(failed.id(), Job.State.FAILED, "the host went away");

        ApiClient.Reply reply = admin().get("/api/dashboard");

        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        JsonNode d = reply.body();
        Map<String, JsonNode> vms = new HashMap<>();
        d.path("vms").forEach(v -> vms.put(v.path("vm").asString(), v));

        JsonNode ok = vms.get(backedUp);
        assertThat(ok.path("protected").asBoolean()).isTrue();
        assertThat(ok.path("policy").asString()).isEqualTo(policy);
        assertThat(ok.path("rpoSeconds").asLong()).isEqualTo(86_400);
        assertThat(ok.path("status").asString()).isEqualTo("OK");
        assertThat(ok.path("ageSeconds").asLong()).isBetween(0L, 600L);
        assertThat(ok.path("lastBackup").path("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(ok.path("lastBackup").path("restorePoint").asString()).isEqualTo(point);
        assertThat(ok.path("replicationLagSeconds").isNull()).isTrue();

        JsonNode critical = vms.get(never);
        assertThat(critical.path("status").asString()).isEqualTo("CRITICAL");
        assertThat(critical.path("ageSeconds").isNull()).isTrue();
        assertThat(critical.path("lastBackup").path("state").asString()).isEqualTo("FAILED");
        assertThat(critical.path("lastBackup").path("error").asString()).isEqualTo("the host went away");

        JsonNode none = vms.get(unprotected);
        assertThat(none.path("protected").asBoolean()).isFalse();
        assertThat(none.path("status").asString()).isEqualTo("NONE");
        assertThat(none.path("policy").isNull()).isTrue();

        JsonNode store = d.path("store");
        assertThat(store.path("restorePoints").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(store.path("logicalBytes").asLong()).isGreaterThanOrEqualTo(64 * TestVms.MIB);
        assertThat(store.path("storedBytes").asLong()).isPositive();
        assertThat(store.path("dedupRatio").asDouble()).isGreaterThan(1.0);
        assertThat(store.path("compressionRatio").asDouble()).isGreaterThan(1.0);

        JsonNode history = d.path("history");
        assertThat(history.size()).isEqualTo(30);
        JsonNode today = history.get(29);
        assertThat(today.path("restorePoints").asLong()).isEqualTo(store.path("restorePoints").asLong());
        assertThat(today.path("storedBytes").asLong()).isEqualTo(store.path("storedBytes").asLong());
        assertThat(history.get(0).path("day").asString()).isLessThan(today.path("day").asString());

        assertThat(d.path("failures").findValuesAsString("jobId")).contains(failed.id().toString());
        assertThat(d.path("jobs").path("running").isArray()).isTrue();
    }

    @Test
    void aDeletedRestorePointLeavesTodaysCountButStaysInTheDaysItWasThere() throws Exception {
        String vm = defineVm("dash-del", TestVms.MIB, 0x32);
        String point = backUp(vm);
        long before = admin().get("/api/dashboard").body().path("history").get(29).path("restorePoints").asLong();

        ApiClient.Reply deleted = admin().delete("/api/restore-points/" + point);
        assertThat(deleted.status()).as(deleted.text()).isIn(200, 204);

        JsonNode d = admin().get("/api/dashboard").body();
        assertThat(d.path("history").get(29).path("restorePoints").asLong()).isEqualTo(before - 1);
        assertThat(d.path("store").path("restorePoints").asLong()).isEqualTo(before - 1);
    }
}
