package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.lifeboat.appliance.inventory.TestVms;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Runbook runs through the appliance ({@code /api/runbooks/{name}/readiness}, {@code .../runs},
 * {@code /api/runbook-runs}): the readiness check of a stored runbook, a test failover from the
 * appliance's store run in the background to DONE with its report (RTO, RPO, steps; JSON and
 * HTML), its cleanup leaving no domain or network, and bad requests refused. The runs themselves
 * are tested in depth by the restore agent's RunbookRunnerTest.
 */
class RunbookRunApiTest extends LibvirtAppliance {

    private static final String YAML = "application/yaml";

    @Test
    void aTestFailoverOfAStoredRunbookRunsToItsReportAndIsCleanedUp() throws Exception {
        String vm = defineVm("rbrun", TestVms.MIB, 0x7b); // a pattern of its own: the store is shared
        backUp(vm);
        String name = "run-" + vm.substring(vm.lastIndexOf('-') + 1);
        String yaml = "runbook: " + name + "\ngroups:\n  - name: g\n    vms:\n      - {vm: " + vm
                + ", point: newest, checks: [running:]}\n";
        assertThat(admin().post("/api/runbooks", YAML, yaml).status()).isEqualTo(201);

        ApiClient.Reply ready = admin().post("/api/runbooks/" + name + "/readiness?kind=test");
        assertThat(ready.status()).as(ready.text()).isEqualTo(200);
        assertThat(ready.body().path("ready").asBoolean()).as(ready.text()).isTrue();
        assertThat(ready.body().path("vms").get(0).path("restorePoint").asString()).startsWith(vm + "/");

        assertThat(admin().post("/api/runbooks/" + name + "/runs", JSON, "{\"kind\":\"drill\"}").status()).isEqualTo(400);
        assertThat(admin().post("/api/runbooks/" + name + "/runs", JSON, "{\"kind\":\"failover\",\"ttl\":\"1h\"}").status())
                .isEqualTo(400);
        assertThat(admin().post("/api/runbooks/nosuch/runs", JSON, "{\"kind\":\"test\"}").status()).isEqualTo(404);

        ApiClient.Reply started = admin().post("/api/runbooks/" + name + "/runs", JSON, "{\"kind\":\"test\",\"ttl\":\"2h\"}");
        assertThat(started.status()).as(started.text()).isEqualTo(202);
        String id = started.body().path("run").asString();
        assertThat(started.location()).isEqualTo("/api/runbook-runs/" + id);
        JsonNode run = awaitRun(id, Duration.ofSeconds(120));
        try {
            assertThat(run.path("state").asString()).as(run.toString()).isEqualTo("DONE");
            assertThat(run.path("rtoSeconds").isNumber()).isTrue();
            JsonNode v = run.path("vms").get(0);
            assertThat(v.path("name").asString()).isEqualTo(vm + "-test-" + id);
            assertThat(v.path("rpoSeconds").isNumber()).isTrue();
            assertThat(run.path("steps").findValuesAsString("id")).contains("network", "start:" + vm, "checks:" + vm, "copy");
            assertThat(TestVms.run("virsh", "-c", TestVms.URI, "domstate", vm + "-test-" + id).strip()).isEqualTo("running");
            ApiClient.Reply html = admin().get("/api/runbook-runs/" + id + "/report");
            assertThat(html.status()).isEqualTo(200);
            assertThat(html.text()).contains("<b id='state'>DONE</b>", vm + "-test-" + id);
            assertThat(admin().get("/api/runbook-runs").body().findValuesAsString("run")).contains(id);
            assertThat(admin().post("/api/runbook-runs/" + id + "/resume").status()).as("done: nothing to resume")
                    .isEqualTo(409);
        } finally {
            ApiClient.Reply cleaned = admin().post("/api/runbook-runs/" + id + "/cleanup");
            assertThat(cleaned.status()).as(cleaned.text()).isEqualTo(200);
            assertThat(cleaned.body().path("state").asString()).isEqualTo("CLEANED");
        }
        assertThat(TestVms.run("virsh", "-c", TestVms.URI, "list", "--all", "--name")).doesNotContain("-test-" + id);
        assertThat(TestVms.run("virsh", "-c", TestVms.URI, "net-list", "--all", "--name")).doesNotContain(id);
        assertThat(admin().get("/api/runbook-runs/ffffffff").status()).isEqualTo(404);
    }
}
