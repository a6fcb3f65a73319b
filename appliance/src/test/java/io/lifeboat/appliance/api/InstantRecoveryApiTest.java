package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.lifeboat.appliance.catalog.AuditEntry;
import io.lifeboat.appliance.catalog.AuditLog;
import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.appliance.inventory.TestVms;
import io.lifeboat.store.Store;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Instant recovery through the API against the real libvirtd and QEMU: the VM runs after reading
 * little of the restore point, which cannot be deleted until the copy job has pivoted it onto a
 * flat image that holds exactly the restore point; refusals change nothing.
 */
class InstantRecoveryApiTest extends LibvirtAppliance {

    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @Autowired
    AuditLog audit;

    @Autowired
    ChunkStore chunkStore;

    @Test
    void theVmRunsAtOnceAndTheCopyPivotsItOntoAFlatImageHoldingTheRestorePoint() throws Exception {
        String source = defineVm("irsrc", 2 * TestVms.MIB, 0x4d);
        String point = backUp(source);
        String name = vms.name("ir");
        Path images = dir.resolve("ir-images");

        ApiClient.Reply accepted = admin().post(RestoreApiTest.restorePath(point) + "/instant-recovery", JSON,
                "{\"name\":\"" + name + "\",\"imageDir\":\"" + images + "\",\"copy\":false}");

        assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
        String jobId = accepted.body().path("jobId").asString();
        JsonNode session = accepted.body().path("session");
        String id = session.path("id").asString();
        assertThat(accepted.location()).isEqualTo("/api/instant-recoveries/" + id);
        assertThat(session.path("state").asString()).isEqualTo("SERVING");
        assertThat(session.path("vm").asString()).isEqualTo(name);
        assertThat(session.path("restorePoint").asString()).isEqualTo(point);
        assertThat(session.path("jobId").asString()).isEqualTo(jobId);
        assertThat(admin().get("/api/vms/" + name).body().path("state").asString()).isEqualTo("RUNNING");
        JsonNode serving = admin().get("/api/jobs/" + jobId).body();
        assertThat(serving.path("kind").asString()).isEqualTo("INSTANT_RECOVERY");
        assertThat(serving.path("state").asString()).isEqualTo("RUNNING");
        assertThat(serving.path("phase").asString()).isEqualTo("serving");
        ApiClient.Reply cancel = admin().post("/api/jobs/" + jobId + "/cancel");
        assertThat(cancel.status()).as(cancel.text()).isEqualTo(409);
        assertThat(cancel.body().path("detail").asString()).contains("instant recovery", "/api/instant-recoveries");

        JsonNode shown = admin().get("/api/instant-recoveries/" + id).body();
        assertThat(shown.path("serving").asBoolean()).isTrue();
        assertThat(shown.path("disks").get(0).path("bytesServed").asLong())
                .as("running after reading a small part of the 64 MiB disk").isLessThan(8 * TestVms.MIB);
        assertThat(admin().get("/api/instant-recoveries").body().findValuesAsString("id")).contains(id);
        assertThat(admin().get("/api/instant-recoveries/0000beef").status()).isEqualTo(404);

        // the VM reads the restore point: it cannot be deleted, nor pruned, while the VM is on the export
        ApiClient.Reply inUse = admin().delete(RestoreApiTest.restorePath(point));
        assertThat(inUse.status()).as(inUse.text()).isEqualTo(409);
        assertThat(inUse.body().path("detail").asString()).contains("in use", name, id);
        assertThat(admin().get(RestoreApiTest.restorePath(point)).body().path("status").asString()).isEqualTo("AVAILABLE");
        String newer = backUp(source);
        assertThat(admin().post("/api/policies", JSON, "{\"name\": \"irkeep\", \"selection\": {\"names\": [\"" + source
                + "\"]}, \"cron\": \"0 0 3 * * ?\", \"timeZone\": \"UTC\", \"retention\": {\"keep-last\": 1}, \"gcCron\": \"0 0 4 * * ?\"}").status())
                .isEqualTo(201);
        assertThat(admin().post("/api/policies/irkeep/run?kind=gc").status()).isEqualTo(202);
        JsonNode gc = awaitGcRun("irkeep", DEADLINE);
        assertThat(gc.path("outcome").asString()).as(gc.toString()).isEqualTo("SUCCEEDED");
        assertThat(gc.path("detail").asString()).contains("retention removed 0 restore point(s); kept while in use: " + point);
        assertThat(admin().get(RestoreApiTest.restorePath(point)).body().path("status").asString()).isEqualTo("AVAILABLE");
        assertThat(admin().get(RestoreApiTest.restorePath(newer)).body().path("status").asString()).isEqualTo("AVAILABLE");
        assertThat(admin().delete("/api/policies/irkeep").status()).isEqualTo(204);

        ApiClient.Reply discardServed = admin().delete("/api/instant-recoveries/" + id);
        assertThat(discardServed.status()).as(discardServed.text()).isEqualTo(409);

        ApiClient.Reply copy = admin().post("/api/instant-recoveries/" + id + "/copy");
        assertThat(copy.status()).as(copy.text()).isEqualTo(202);
        assertThat(copy.body().path("jobId").asString()).isEqualTo(jobId);
        JsonNode done = awaitJob(jobId, DEADLINE);
        assertThat(done.path("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        assertThat(done.path("phase").asString()).isEqualTo("copy vda");
        assertThat(done.path("bytesDone").asLong()).isPositive();
        assertThat(done.path("restorePoint").asString()).isEqualTo(point);

        JsonNode pivoted = admin().get("/api/instant-recoveries/" + id).body();
        assertThat(pivoted.path("state").asString()).isEqualTo("PIVOTED");
        assertThat(admin().post("/api/instant-recoveries/" + id + "/stop").status()).as("an ordinary VM now").isEqualTo(409);
        assertThat(pivoted.path("serving").asBoolean()).as("the export is closed").isFalse();
        assertThat(admin().post("/api/instant-recoveries/" + id + "/copy").status()).isEqualTo(409);
        Path image = images.resolve(name + "-vda.qcow2");
        JsonNode vm = admin().get("/api/vms/" + name).body();
        assertThat(vm.path("state").asString()).isEqualTo("RUNNING");
        assertThat(vm.path("disks").get(0).path("path").asString()).isEqualTo(image.toString());
        assertThat(TestVms.run("virsh", "-c", TestVms.URI, "dumpxml", name)).doesNotContain("nbd", "overlay", "backingStore type='file'");
        assertThat(TestVms.run("qemu-img", "info", "-U", image.toString())).doesNotContain("backing file");

        // what the image holds is the restore point: compare with a restore of the same point's disk
        Path reference = Files.createDirectories(dir.resolve("reference"));
        ApiClient.Reply restore = admin().post(RestoreApiTest.restorePath(point) + "/restore", JSON,
                "{\"disks\":[\"vda\"],\"format\":\"raw\",\"name\":\"ref\",\"directory\":\"" + reference + "\"}");
        assertThat(restore.status()).as(restore.text()).isEqualTo(202);
        assertThat(awaitJob(restore.body().path("jobId").asString(), DEADLINE).path("state").asString()).isEqualTo("SUCCEEDED");
        TestVms.run("qemu-img", "compare", "-U", "-f", "raw", "-F", "qcow2", reference.resolve("ref-vda.raw").toString(),
                image.toString());
        TestVms.run("qemu-img", "compare", "-U", "-f", "qcow2", "-F", "qcow2",
                dir.resolve(source + "-vda.qcow2").toString(), image.toString());
        assertThat(admin().delete(RestoreApiTest.restorePath(point)).status()).as("pivoted: no longer in use").isEqualTo(200);
        assertThat(admin().delete("/api/instant-recoveries/" + id).status()).isEqualTo(204);
        assertThat(admin().get("/api/instant-recoveries/" + id).status()).isEqualTo(404);
        assertThat(audit.recent(20)).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("restore-point.instant-recovery");
            assertThat(e.target()).isEqualTo(point);
            assertThat(e.outcome()).isEqualTo(AuditEntry.Outcome.SUCCEEDED);
            assertThat(e.detail()).contains(name, id, jobId);
        });
    }

    @Test
    void refusalsStartNothing() throws Exception {
        String source = defineVm("irbad", TestVms.MIB, 0x4e);
        String point = backUp(source);
        Path images = dir.resolve("never");
        int sessions = admin().get("/api/instant-recoveries").body().size();

        ApiClient.Reply taken = admin().post(RestoreApiTest.restorePath(point) + "/instant-recovery", JSON,
                "{\"name\":\"" + source + "\",\"imageDir\":\"" + images + "\"}");
        assertThat(taken.status()).as(taken.text()).isEqualTo(409);
        assertThat(taken.body().path("detail").asString()).contains(source);
        ApiClient.Reply noName = admin().post(RestoreApiTest.restorePath(point) + "/instant-recovery", JSON, "{}");
        assertThat(noName.status()).isEqualTo(400);
        assertThat(noName.body().path("detail").asString()).contains("name");
        assertThat(admin().post(RestoreApiTest.restorePath(point) + "/instant-recovery", JSON,
                "{\"name\":\"bad name!\"}").status()).isEqualTo(400);
        assertThat(admin().post(RestoreApiTest.restorePath(source + "/20200101T000000.000Z") + "/instant-recovery", JSON,
                "{\"name\":\"" + vms.name("irnone") + "\"}").status()).isEqualTo(404);

        assertThat(admin().get("/api/instant-recoveries").body().size()).isEqualTo(sessions);
        assertThat(Files.exists(images)).isFalse();
    }

    @Test
    void aStoppedRecoveryTakesItsVmAndSessionAlongAndReleasesItsRestorePoint() throws Exception {
        String source = defineVm("irstop", TestVms.MIB, 0x3d);
        String point = backUp(source);
        String name = vms.name("irstopped");
        ApiClient.Reply accepted = admin().post(RestoreApiTest.restorePath(point) + "/instant-recovery", JSON,
                "{\"name\":\"" + name + "\",\"imageDir\":\"" + dir.resolve("stop-images") + "\",\"copy\":false}");
        assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
        String id = accepted.body().path("session").path("id").asString();
        String jobId = accepted.body().path("jobId").asString();
        assertThat(admin().get("/api/vms/" + name).body().path("state").asString()).isEqualTo("RUNNING");
        assertThat(admin().delete(RestoreApiTest.restorePath(point)).status()).isEqualTo(409);

        ApiClient.Reply stopped = admin().post("/api/instant-recoveries/" + id + "/stop");
        assertThat(stopped.status()).as(stopped.text()).isEqualTo(204);

        assertThat(admin().get("/api/vms/" + name).status()).isEqualTo(404);
        assertThat(admin().get("/api/instant-recoveries/" + id).status()).isEqualTo(404);
        JsonNode job = admin().get("/api/jobs/" + jobId).body();
        assertThat(job.path("state").asString()).isEqualTo("CANCELLED");
        assertThat(job.path("error").asString()).contains("stopped");
        assertThat(admin().post("/api/instant-recoveries/" + id + "/stop").status()).isEqualTo(404);
        assertThat(admin().delete(RestoreApiTest.restorePath(point)).status()).as("no longer in use").isEqualTo(200);
        assertThat(audit.recent(10)).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("instant-recovery.stop");
            assertThat(e.target()).isEqualTo(id);
            assertThat(e.outcome()).isEqualTo(AuditEntry.Outcome.SUCCEEDED);
        });
    }

    @Test
    void aRestorePointWhosePackFileIsGoneIsRefusedBeforeAnyVmStarts() throws Exception {
        String source = defineVm("irgone", TestVms.MIB, 0x3c); // a pattern no other test stores
        String point = backUp(source);
        Store store = chunkStore.get();
        Manifest m = store.manifest(RestorePointId.parse(point));
        DiskMap vda = m.disks().get(0);
        Digest first = null;
        for (int s = 0; s < vda.slotCount() && first == null; s++) {
            first = vda.digest(s);
        }
        Path pack = store.packs().packFile(store.index().get(first).orElseThrow().packId());
        Path aside = pack.resolveSibling(pack.getFileName() + ".aside");
        int sessions = admin().get("/api/instant-recoveries").body().size();
        String name = vms.name("irgone");
        Files.move(pack, aside);
        try {
            ApiClient.Reply refused = admin().post(RestoreApiTest.restorePath(point) + "/instant-recovery", JSON,
                    "{\"name\":\"" + name + "\",\"imageDir\":\"" + dir.resolve("gone-images") + "\"}");
            assertThat(refused.status()).as(refused.text()).isEqualTo(404);
            assertThat(refused.body().path("detail").asString()).contains(first.toString());
        } finally {
            Files.move(aside, pack);
        }
        assertThat(admin().get("/api/instant-recoveries").body().size()).isEqualTo(sessions);
        assertThat(admin().get("/api/vms/" + name).status()).isEqualTo(404);
    }
}
