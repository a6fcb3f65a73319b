package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import io.lifeboat.appliance.inventory.TestVms;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code /api/runbooks}: a runbook naming a VM that has a restore point is stored with versions
 * and shown in run order; the same YAML again changes nothing; a bad one is refused with every
 * problem at its line and nothing stored; a VM without restore points is one of those problems.
 */
class RunbookApiTest extends LibvirtAppliance {

    private static final String YAML = "application/yaml";

    @Test
    void storedWithVersionsShownInRunOrderAndRefusedWithLineNumbers() throws Exception {
        String vm = vms.name("runbook");
        Path disk = TestVms.qcow2(dir, vm + "-vda.qcow2", 8 * TestVms.MIB);
        assertThat(admin().post("/api/vms", "application/xml", TestVms.domainXml(vm, List.of(disk), false)).status())
                .isEqualTo(201);
        backUp(vm);
        String name = "rb-" + vm.substring(vm.lastIndexOf('-') + 1);
        String v1 = "runbook: " + name + "\ndescription: first\ngroups:\n  - name: web\n    after: [db]\n    vms: []\n"
                + "  - name: db\n    vms:\n      - vm: " + vm + "\n        checks:\n          - tcp: {port: 5432}\n";

        // a group with no VMs: refused, nothing stored
        ApiClient.Reply refused = admin().post("/api/runbooks", YAML, v1);
        assertThat(refused.status()).as(refused.text()).isEqualTo(400);
        assertThat(refused.body().path("problems").get(0).path("line").asInt()).isEqualTo(6);
        assertThat(refused.body().path("detail").asString()).contains("line 6").contains("group web has no vms");
        assertThat(admin().get("/api/runbooks/" + name).status()).isEqualTo(404);

        String good = v1.replace("    vms: []\n", "    vms: [{vm: " + vm + "-twin}]\n");
        ApiClient.Reply unknownVm = admin().post("/api/runbooks", YAML, good);
        assertThat(unknownVm.status()).isEqualTo(400);
        assertThat(unknownVm.body().path("problems").get(0).path("message").asString())
                .isEqualTo("VM " + vm + "-twin has no restore point to come back from");

        ApiClient.Reply validated = admin().post("/api/runbooks/validate", YAML, good);
        assertThat(validated.status()).isEqualTo(200);
        assertThat(validated.body().path("valid").asBoolean()).isFalse();
        assertThat(validated.body().path("problems").get(0).path("line").asInt()).isEqualTo(6);

        good = v1.replace("    vms: []\n", "    vms: [{vm: " + vm + ", mode: restore}]\n")
                .replace("      - vm: " + vm + "\n", "      - vm: " + vm + "\n        vcpus: 2\n");
        // one VM in two groups
        ApiClient.Reply twice = admin().post("/api/runbooks", YAML, good);
        assertThat(twice.status()).isEqualTo(400);
        assertThat(twice.body().path("detail").asString()).contains("VM " + vm + " is in group web already (line 6)");

        String stored = "runbook: " + name + "\ndescription: first\ngroups:\n  - name: db\n    wait: 30s\n    vms:\n"
                + "      - vm: " + vm + "\n        checks:\n          - tcp: {port: 5432}\n";
        ApiClient.Reply created = admin().post("/api/runbooks", YAML, stored);
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.location()).isEqualTo("/api/runbooks/" + name);
        assertThat(created.body().path("version").asInt()).isEqualTo(1);
        JsonNode db = created.body().path("groups").get(0);
        assertThat(db.path("name").asString()).isEqualTo("db");
        assertThat(db.path("pauseSeconds").asLong()).isEqualTo(30);
        JsonNode restored = db.path("vms").get(0);
        assertThat(restored.path("vm").asString()).isEqualTo(vm);
        assertThat(restored.path("point").asString()).isEqualTo("newest-replicated");
        assertThat(restored.path("mode").asString()).isEqualTo("instant");
        assertThat(restored.path("checks").get(0).path("kind").asString()).isEqualTo("tcp");
        assertThat(restored.path("checks").get(0).path("port").asInt()).isEqualTo(5432);

        ApiClient.Reply again = admin().post("/api/runbooks", YAML, stored);
        assertThat(again.status()).as("the same YAML: no new version").isEqualTo(200);
        assertThat(again.body().path("version").asInt()).isEqualTo(1);

        String second = stored.replace("description: first", "description: second");
        ApiClient.Reply v2 = admin().post("/api/runbooks", "text/plain", second);
        assertThat(v2.status()).isEqualTo(201);
        assertThat(v2.body().path("version").asInt()).isEqualTo(2);

        assertThat(admin().get("/api/runbooks/" + name).body().path("description").asString()).isEqualTo("second");
        JsonNode versions = admin().get("/api/runbooks/" + name + "/versions").body();
        assertThat(versions.findValuesAsString("createdBy")).containsExactly("admin", "admin");
        assertThat(versions.get(0).path("version").asInt()).isEqualTo(2);
        ApiClient.Reply first = admin().get("/api/runbooks/" + name + "/versions/1");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.text()).as("the YAML as it was written").isEqualTo(stored);
        assertThat(admin().get("/api/runbooks/" + name + "/yaml").text()).isEqualTo(second);
        assertThat(admin().get("/api/runbooks/" + name + "/versions/3").status()).isEqualTo(404);
        JsonNode list = admin().get("/api/runbooks").body();
        assertThat(list.findValuesAsString("name")).contains(name);

        ApiClient.Reply malformed = admin().post("/api/runbooks", YAML, "runbook: " + name + "\ngroups: [\n");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.body().path("detail").asString()).contains("not valid YAML");
        assertThat(admin().get("/api/runbooks/" + name).body().path("version").asInt()).as("unchanged").isEqualTo(2);

        assertThat(admin().delete("/api/runbooks/" + name).status()).isEqualTo(204);
        assertThat(admin().get("/api/runbooks/" + name).status()).isEqualTo(404);
        assertThat(admin().delete("/api/runbooks/" + name).status()).isEqualTo(404);
        assertThat(anonymous().get("/api/runbooks").status()).isEqualTo(401);
    }
}
