package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.lifeboat.appliance.inventory.TestVms;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Restore points of real libvirt VMs backed up through the API: the diff of two, and retention of a protected one. */
class RestorePointLibvirtTest extends LibvirtAppliance {

    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final long CHUNK = 256 << 10;

    @Test
    void theDiffOfTwoBackupsCountsExactlyTheChunksWrittenBetweenThem() throws Exception {
        String vm = defineVm("diff", 2 * TestVms.MIB, 0x2a);
        String first = backUp(vm);
        // Half a megabyte over data already backed up (2 chunks), a quarter over never-written space (1 chunk).
        TestVms.write(dir.resolve(vm + "-vda.qcow2"), 0x77, TestVms.MIB, 512 << 10);
        TestVms.write(dir.resolve(vm + "-vda.qcow2"), 0x66, 8 * TestVms.MIB, CHUNK);
        String second = backUp(vm);

        ApiClient.Reply reply = admin().get("/api/restore-points/" + first + "/diff/" + timeOf(second));

        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        JsonNode diff = reply.body();
        assertThat(diff.path("from").asString()).isEqualTo(first);
        assertThat(diff.path("to").asString()).isEqualTo(second);
        assertThat(diff.path("disks").size()).isEqualTo(1);
        JsonNode vda = diff.path("disks").get(0);
        assertThat(vda.path("name").asString()).isEqualTo("vda");
        assertThat(vda.path("sizeBytes").asLong()).isEqualTo(64 * TestVms.MIB);
        assertThat(vda.path("chunks").asInt()).isEqualTo((int) (64 * TestVms.MIB / CHUNK));
        assertThat(vda.path("changedChunks").asInt()).isEqualTo(3);
        assertThat(vda.path("changedBytes").asLong()).isEqualTo(3 * CHUNK);
        assertThat(diff.path("changedBytes").asLong()).isEqualTo(3 * CHUNK);
        // The other way round differs by the same chunks.
        JsonNode back = admin().get("/api/restore-points/" + second + "/diff/" + timeOf(first)).body();
        assertThat(back.path("changedBytes").asLong()).isEqualTo(3 * CHUNK);
        assertThat(back.path("from").asString()).isEqualTo(second);
    }

    @Test
    void retentionKeepsAProtectedRestorePointAndThePreviewSaysSo() throws Exception {
        String vm = defineVm("guard", TestVms.MIB, 0x2b);
        String oldest = backUp(vm);
        String middle = backUp(vm);
        String newest = backUp(vm);
        assertThat(admin().patch("/api/restore-points/" + oldest, JSON, "{\"protected\": true}").status()).isEqualTo(200);
        String policy = "p-" + vm;
        ApiClient.Reply created = admin().post("/api/policies", JSON, "{\"name\": \"" + policy + "\", \"selection\": {\"names\": [\""
                + vm + "\"]}, \"cron\": \"0 0 3 * * ?\", \"timeZone\": \"UTC\", \"retention\": {\"keep-last\": 1},"
                + " \"gcCron\": \"0 0 4 * * ?\"}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        try {
            Map<String, JsonNode> preview = new HashMap<>();
            for (JsonNode e : admin().get("/api/policies/" + policy + "/prune-preview").body()) {
                preview.put(e.path("restorePoint").asString(), e);
            }
            assertThat(preview.get(oldest).path("keep").asBoolean()).isTrue();
            assertThat(preview.get(oldest).path("mark").asString()).isEqualTo("protected");
            assertThat(preview.get(oldest).path("reason").asString()).isEqualTo("protected");
            assertThat(preview.get(middle).path("keep").asBoolean()).isFalse();
            assertThat(preview.get(newest).path("mark").asString()).isEqualTo("keep-last");

            assertThat(admin().post("/api/policies/" + policy + "/run?kind=gc").status()).isEqualTo(202);
            JsonNode gc = awaitGcRun(policy, DEADLINE);

            assertThat(gc.path("outcome").asString()).as(gc.toString()).isEqualTo("SUCCEEDED");
            assertThat(gc.path("detail").asString()).contains("retention removed 1 restore point(s)");
            assertThat(status(oldest)).isEqualTo("AVAILABLE");
            assertThat(status(middle)).isEqualTo("DELETED");
            assertThat(status(newest)).isEqualTo("AVAILABLE");
        } finally {
            admin().delete("/api/policies/" + policy);
        }
    }

    private String status(String restorePoint) throws Exception {
        return admin().get("/api/restore-points/" + restorePoint).body().path("status").asString();
    }

    private static String timeOf(String restorePoint) {
        return restorePoint.substring(restorePoint.indexOf('/') + 1);
    }
}
