package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.lifeboat.appliance.inventory.TestVms;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Failback through the appliance, on one libvirt host that plays both sites (VMs with no OS, so
 * their "guest writes" go through QEMU's monitor): a failover brings two VMs of two groups back
 * as {@code <vm>-dr}; they are written to; the failback syncs them while they run, waits for the
 * cutover's approval, halts when they do not shut down (no OS answers ACPI) and, once they are
 * off, backs them up a last time from their checkpoint bitmaps, writes only the difference into
 * the originals and starts them. The originals end bit-identical to the recovered VMs.
 */
class RunbookFailbackTest extends LibvirtAppliance {

    private static final String YAML = "application/yaml";
    private static final long MIB = TestVms.MIB;

    @Test
    void recoveredVmsComeHomeWithWhatTheyWroteAtTheRecoverySite() throws Exception {
        String db = defineVm("fbdb", 4 * MIB, 0x6c); // patterns of their own: the store is shared
        String app = defineVm("fbapp", 2 * MIB, 0x6d);
        backUp(db);
        backUp(app);
        Path drDir = Files.createDirectories(dir.resolve("dr"));
        String name = "fb-" + db.substring(db.lastIndexOf('-') + 1);
        String yaml = "runbook: " + name + "\nprimary: {target: " + TestVms.URI + ", timeout: 2s}\n"
                + "defaults: {target: " + TestVms.URI + ", directory: " + drDir + ", point: newest, mode: restore, identity: new,"
                + " checks: [running:]}\n"
                + "groups:\n  - name: db\n    vms: [{vm: " + db + ", name: " + db + "-dr}]\n"
                + "  - name: app\n    vms: [{vm: " + app + ", name: " + app + "-dr}]\n";
        assertThat(admin().post("/api/runbooks", YAML, yaml).status()).isEqualTo(201);
        try {
            JsonNode failover = awaitRun(start(name, "{\"kind\":\"failover\"}"), Duration.ofSeconds(120));
            assertThat(failover.path("state").asString()).as(failover.toString()).isEqualTo("DONE");
            assertThat(state(db + "-dr")).isEqualTo("running");

            // production runs at the recovery site now, and writes
            guestWrite(db + "-dr", 0x71, 8 * MIB, MIB);
            guestWrite(app + "-dr", 0x72, 16 * MIB, MIB);

            assertThat(start("nosuch", "{\"kind\":\"failback\"}")).isNull();
            String id = start(name, "{\"kind\":\"failback\"}");
            JsonNode synced = awaitRun(id, Duration.ofSeconds(120));
            assertThat(synced.path("state").asString()).as(synced.toString()).isEqualTo("WAITING_APPROVAL");
            assertThat(synced.path("error").asString()).contains("cutover");
            assertThat(state(db + "-dr")).as("the recovered VMs run on until the cutover").isEqualTo("running");
            Path dbDisk = dir.resolve(db + "-vda.qcow2");
            assertThat(holds(dbDisk, 0x71, 8 * MIB, MIB)).as("the sync is in the original's disk").isTrue();
            assertThat(holds(dbDisk, 0x6c, 0, 4 * MIB)).isTrue();

            // written after the sync: only the final incremental carries it
            guestWrite(db + "-dr", 0x73, 24 * MIB, 512 * 1024);

            JsonNode halted = awaitRun(resume(id, "{\"approve\":[\"cutover\"]}"), Duration.ofSeconds(60));
            assertThat(halted.path("state").asString()).as(halted.toString()).isEqualTo("HALTED");
            assertThat(halted.path("error").asString()).startsWith("shutdown:" + app).contains("did not shut down");
            TestVms.run("virsh", "-c", TestVms.URI, "destroy", app + "-dr");
            TestVms.run("virsh", "-c", TestVms.URI, "destroy", db + "-dr");

            JsonNode done = awaitRun(resume(id, "{}"), Duration.ofSeconds(120));
            assertThat(done.path("state").asString()).as(done.toString()).isEqualTo("DONE");
            assertThat(done.path("kind").asString()).isEqualTo("failback");
            assertThat(done.path("downtimeSeconds").isNumber()).as(done.toString()).isTrue();
            List<String> order = done.path("steps").findValuesAsString("id");
            assertThat(order).containsSubsequence("sync:" + db, "restore:" + db, "sync:" + app, "approval:cutover",
                    "shutdown:" + app, "shutdown:" + db, "final:" + db, "apply:" + db, "start:" + db, "checks:" + db,
                    "final:" + app, "start:" + app, "checks:" + app);
            assertThat(state(db)).isEqualTo("running");
            assertThat(state(app)).isEqualTo("running");

            JsonNode dbRun = vmOf(done, db);
            assertThat(dbRun.path("from").asString()).isEqualTo(db + "-dr");
            assertThat(dbRun.path("rpoSeconds").asLong()).isZero();
            JsonNode last = admin().get("/api/restore-points/" + dbRun.path("restorePoint").asString()).body();
            assertThat(last.path("kind").asString()).as("the cutover reads only what changed: " + last).isEqualTo("INCREMENTAL");
            String applied = stepOf(done, "apply:" + db).path("detail").asString();
            assertThat(applied).as(applied).matches("[12] changed chunk\\(s\\).*");

            // bit-exact: the originals hold what the recovered VMs held when they stopped
            TestVms.run("virsh", "-c", TestVms.URI, "destroy", db);
            TestVms.run("virsh", "-c", TestVms.URI, "destroy", app);
            for (String vm : List.of(db, app)) {
                String same = TestVms.run("qemu-img", "compare", dir.resolve(vm + "-vda.qcow2").toString(),
                        drDir.resolve(vm + "-dr-vda.qcow2").toString());
                assertThat(same).contains("Images are identical");
            }
        } finally {
            for (String vm : List.of(db + "-dr", app + "-dr")) {
                try {
                    TestVms.run("virsh", "-c", TestVms.URI, "destroy", vm);
                } catch (IllegalStateException notRunning) {
                    // shut off already
                }
                try {
                    TestVms.run("virsh", "-c", TestVms.URI, "undefine", vm, "--checkpoints-metadata");
                } catch (IllegalStateException gone) {
                    // never defined
                }
            }
        }
    }

    private String start(String runbook, String body) throws Exception {
        ApiClient.Reply started = admin().post("/api/runbooks/" + runbook + "/runs", JSON, body);
        if (started.status() == 404) {
            return null;
        }
        assertThat(started.status()).as(started.text()).isEqualTo(202);
        return started.body().path("run").asString();
    }

    private String resume(String id, String body) throws Exception {
        ApiClient.Reply resumed = admin().post("/api/runbook-runs/" + id + "/resume", JSON, body);
        assertThat(resumed.status()).as(resumed.text()).isEqualTo(202);
        return id;
    }

    private static JsonNode vmOf(JsonNode run, String vm) {
        for (JsonNode v : run.path("vms")) {
            if (v.path("vm").asString().equals(vm)) {
                return v;
            }
        }
        throw new AssertionError("no VM " + vm + " in " + run);
    }

    private static JsonNode stepOf(JsonNode run, String id) {
        for (JsonNode s : run.path("steps")) {
            if (s.path("id").asString().equals(id)) {
                return s;
            }
        }
        throw new AssertionError("no step " + id + " in " + run);
    }

    private static String state(String vm) {
        return TestVms.run("virsh", "-c", TestVms.URI, "domstate", vm).strip();
    }

    /** A write as the guest would make it, through QEMU (the VM has no OS). */
    private static void guestWrite(String vm, int pattern, long offset, long length) {
        String out = TestVms.run("virsh", "-c", TestVms.URI, "qemu-monitor-command", vm, "--hmp",
                String.format("qemu-io -d /machine/peripheral/ua-vda/virtio-backend \"write -P 0x%02x %d %d\"", pattern,
                        offset, length));
        assertThat(out).doesNotContainIgnoringCase("error").doesNotContain("failed");
    }

    private static boolean holds(Path qcow2, int pattern, long offset, long length) {
        String out = TestVms.run("qemu-io", "-r", "-f", "qcow2", qcow2.toString(), "-c",
                String.format("read -P 0x%02x %d %d", pattern, offset, length));
        return out.contains("read " + length + "/" + length) && !out.contains("Pattern verification failed");
    }
}
