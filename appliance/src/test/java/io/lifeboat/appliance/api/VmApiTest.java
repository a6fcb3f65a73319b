package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import io.lifeboat.appliance.catalog.AuditEntry;
import io.lifeboat.appliance.catalog.AuditLog;
import io.lifeboat.appliance.inventory.TestVms;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** {@code /api/vms} over HTTP against the real libvirtd: inventory, lifecycle, tags, snapshots, clone, errors. */
class VmApiTest extends LibvirtAppliance {

    @Autowired
    AuditLog audit;

    @Test
    void aVmShowsTheTitleAndDescriptionOfItsDomainXml() throws Exception {
        String name = vms.name("described");
        var disk = TestVms.qcow2(dir, name + "-vda.qcow2", 64 * TestVms.MIB);
        String xml = TestVms.domainXml(name, List.of(disk), false).replace("</name>",
                "</name><title>Web &amp; mail</title><description>  nginx\n  postfix  </description>");

        assertThat(admin().post("/api/vms", XML, xml).status()).isEqualTo(201);

        JsonNode vm = admin().get("/api/vms/" + name).body();
        assertThat(vm.path("title").asString()).isEqualTo("Web & mail");
        assertThat(vm.path("description").asString()).as("trimmed at its ends only").isEqualTo("nginx\n  postfix");
        JsonNode listed = null;
        for (JsonNode v : admin().get("/api/vms").body()) {
            if (v.path("name").asString().equals(name)) {
                listed = v;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(listed.path("title").asString()).isEqualTo("Web & mail");
    }

    @Test
    void defineListStartStopAndDelete() throws Exception {
        String name = vms.name("life");
        var disk = TestVms.qcow2(dir, name + "-vda.qcow2", 64 * TestVms.MIB);

        ApiClient.Reply defined = admin().post("/api/vms", XML, TestVms.domainXml(name, List.of(disk), false));

        assertThat(defined.status()).isEqualTo(201);
        assertThat(defined.location()).isEqualTo("/api/vms/" + name + "?host=qemu%3A%2F%2F%2Fsystem");
        JsonNode vm = defined.body();
        assertThat(vm.path("host").asString()).isEqualTo(TestVms.URI);
        assertThat(vm.path("name").asString()).isEqualTo(name);
        assertThat(vm.path("uuid").asString()).hasSize(36);
        assertThat(vm.path("state").asString()).isEqualTo("SHUT_OFF");
        assertThat(vm.path("vcpus").asInt()).isEqualTo(1);
        assertThat(vm.path("memoryBytes").asLong()).isEqualTo(64 * TestVms.MIB);
        JsonNode vda = vm.path("disks").get(0);
        assertThat(vda.path("target").asString()).isEqualTo("vda");
        assertThat(vda.path("device").asString()).isEqualTo("disk");
        assertThat(vda.path("format").asString()).isEqualTo("qcow2");
        assertThat(vda.path("virtualSize").asLong()).isEqualTo(64 * TestVms.MIB);
        assertThat(vda.path("allocatedSize").asLong()).isPositive();
        assertThat(vda.path("path").asString()).isEqualTo(disk.toString());
        assertThat(vm.path("tags").isArray()).isTrue();
        assertThat(vm.path("title").isNull()).as("no <title>").isTrue();
        assertThat(vm.path("description").isNull()).as("no <description>").isTrue();

        assertThat(admin().get("/api/vms").body().findValuesAsString("name")).contains(name);
        assertThat(admin().get("/api/vms?host=qemu:///system").body().findValuesAsString("name")).contains(name);
        assertThat(admin().get("/api/vms/" + name).body().path("uuid").asString()).isEqualTo(vm.path("uuid").asString());

        ApiClient.Reply tags = admin().put("/api/vms/" + name + "/tags", JSON, "[\"web\",\"prod\"]");
        assertThat(tags.status()).isEqualTo(200);
        assertThat(tags.text()).isEqualTo("[\"prod\",\"web\"]");
        assertThat(admin().get("/api/vms/" + name).body().path("tags").toString()).isEqualTo("[\"prod\",\"web\"]");

        ApiClient.Reply started = admin().post("/api/vms/" + name + "/start");
        assertThat(started.status()).isEqualTo(200);
        assertThat(started.body().path("name").asString()).isEqualTo(name);
        assertThat(started.body().path("state").asString()).isEqualTo("RUNNING");
        assertThat(admin().post("/api/vms/" + name + "/start").status()).as("already running").isEqualTo(409);

        // No OS, so no ACPI: the shutdown times out, and the VM keeps running.
        ApiClient.Reply ignored = admin().post("/api/vms/" + name + "/shutdown?timeoutSeconds=1");
        assertThat(ignored.status()).isEqualTo(504);
        assertThat(ignored.contentType()).startsWith("application/problem+json");
        assertThat(admin().post("/api/vms/" + name + "/shutdown?timeoutSeconds=-1").status()).isEqualTo(400);
        assertThat(admin().delete("/api/vms/" + name).status()).as("running").isEqualTo(409);

        ApiClient.Reply off = admin().post("/api/vms/" + name + "/force-off");
        assertThat(off.status()).isEqualTo(200);
        assertThat(off.body().path("state").asString()).isEqualTo("SHUT_OFF");

        assertThat(admin().delete("/api/vms/" + name + "?deleteDisks=false").status()).isEqualTo(204);
        assertThat(admin().get("/api/vms/" + name).status()).isEqualTo(404);
        assertThat(disk).exists();

        List<AuditEntry> entries = audit.recent(50);
        assertThat(entries).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("vm.define");
            assertThat(e.user()).isEqualTo("admin");
            assertThat(e.outcome()).isEqualTo(AuditEntry.Outcome.SUCCEEDED);
        });
        assertThat(entries).filteredOn(e -> name.equals(e.target())).extracting(AuditEntry::action)
                .contains("vm.tags", "vm.start", "vm.shutdown", "vm.force-off", "vm.delete");
        assertThat(entries).filteredOn(e -> name.equals(e.target()) && e.action().equals("vm.shutdown"))
                .extracting(AuditEntry::outcome).containsExactly(AuditEntry.Outcome.FAILED);
    }

    @Test
    void snapshotsThroughTheApi() throws Exception {
        String name = defineVm("snap", TestVms.MIB);
        String snapshots = "/api/vms/" + name + "/snapshots";

        ApiClient.Reply created = admin().post(snapshots, JSON, "{\"name\":\"before-upgrade\",\"description\":\"clean\"}");

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().path("name").asString()).isEqualTo("before-upgrade");
        JsonNode list = admin().get(snapshots).body();
        assertThat(list.size()).isEqualTo(1);
        JsonNode s = list.get(0);
        assertThat(s.path("name").asString()).isEqualTo("before-upgrade");
        assertThat(s.path("description").asString()).isEqualTo("clean");
        assertThat(s.path("createdAt").asString()).isNotBlank();
        assertThat(s.path("vmState").asString()).isEqualTo("SHUT_OFF");
        assertThat(s.path("kind").asString()).isEqualTo("INTERNAL");
        assertThat(s.path("parent").isNull()).isTrue();
        assertThat(s.path("current").asBoolean()).isTrue();
        assertThat(admin().post(snapshots, JSON, "{\"name\":\"before-upgrade\"}").status()).isEqualTo(409);
        assertThat(admin().post(snapshots, JSON, "{\"name\":\"no/slashes\"}").status()).isEqualTo(400);

        ApiClient.Reply reverted = admin().post(snapshots + "/before-upgrade/revert");
        assertThat(reverted.status()).isEqualTo(200);
        assertThat(reverted.body().path("name").asString()).isEqualTo(name);
        assertThat(reverted.body().path("state").asString()).isEqualTo("SHUT_OFF");
        assertThat(admin().post(snapshots + "/nope/revert").status()).isEqualTo(404);

        assertThat(admin().delete(snapshots + "/before-upgrade").status()).isEqualTo(204);
        assertThat(admin().get(snapshots).body().size()).isZero();
        assertThat(audit.recent(20)).extracting(AuditEntry::target).contains(name + "/before-upgrade");
    }

    @Test
    void cloneThroughTheApi() throws Exception {
        String source = defineVm("src", TestVms.MIB);
        String clone = vms.name("clone");

        ApiClient.Reply cloned = admin().post("/api/vms/" + source + "/clone", JSON, "{\"name\":\"" + clone + "\"}");

        assertThat(cloned.status()).isEqualTo(201);
        assertThat(cloned.location()).startsWith("/api/vms/" + clone);
        JsonNode vm = cloned.body();
        assertThat(vm.path("name").asString()).isEqualTo(clone);
        assertThat(vm.path("state").asString()).isEqualTo("SHUT_OFF");
        assertThat(vm.path("disks").get(0).path("path").asString()).isEqualTo(dir.resolve(clone + "-vda.qcow2").toString());
        assertThat(admin().get("/api/vms").body().findValuesAsString("name")).contains(source, clone);
        assertThat(admin().post("/api/vms/" + source + "/clone", JSON, "{\"name\":\"" + clone + "\"}").status())
                .as("name taken").isEqualTo(409);
    }

    @Test
    void aCloneGetsItsOwnSerialLogAndBothRunAHostPipeIsRefusedWithNothingCopied() throws Exception {
        String source = vms.name("serial");
        var disk = TestVms.qcow2(dir, source + "-vda.qcow2", 64 * TestVms.MIB);
        var log = dir.resolve(source + "-console.log");
        assertThat(admin().post("/api/vms", XML, TestVms.domainXml(source, List.of(disk),
                "<serial type='file'><source path='" + log + "'/><target port='0'/></serial>")).status()).isEqualTo(201);
        String clone = vms.name("serialclone");

        assertThat(admin().post("/api/vms/" + source + "/clone", JSON, "{\"name\":\"" + clone + "\"}").status()).isEqualTo(201);
        assertThat(admin().post("/api/vms/" + source + "/start").status()).isEqualTo(200);
        assertThat(admin().post("/api/vms/" + clone + "/start").status()).as("not sharing the original's log").isEqualTo(200);
        assertThat(TestVms.run("virsh", "-c", TestVms.URI, "dumpxml", clone)).contains(dir.resolve(clone + "-serial0.log").toString());

        String piped = vms.name("pipe");
        var pipedDisk = TestVms.qcow2(dir, piped + "-vda.qcow2", 64 * TestVms.MIB);
        assertThat(admin().post("/api/vms", XML, TestVms.domainXml(piped, List.of(pipedDisk),
                "<serial type='pipe'><source path='" + dir.resolve("p") + "'/><target port='0'/></serial>")).status()).isEqualTo(201);
        String refused = vms.name("pipeclone");
        ApiClient.Reply reply = admin().post("/api/vms/" + piped + "/clone", JSON, "{\"name\":\"" + refused + "\"}");
        assertThat(reply.status()).as(reply.text()).isEqualTo(422);
        assertThat(reply.body().path("detail").asString()).contains("serial 0 uses the host pipe");
        assertThat(dir.resolve(refused + "-vda.qcow2")).doesNotExist();
        assertThat(admin().get("/api/vms/" + refused).status()).isEqualTo(404);
    }

    @Test
    void badRequestsGetProblems() throws Exception {
        ApiClient.Reply unknown = admin().get("/api/vms/lbtest-no-such-vm");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(unknown.body().path("detail").asString()).contains("lbtest-no-such-vm");

        ApiClient.Reply malformed = admin().post("/api/vms", XML, "<domain type='qemu'><name>x</name>");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.contentType()).startsWith("application/problem+json");
        assertThat(malformed.body().path("detail").asString()).contains("not well-formed");
        assertThat(admin().post("/api/vms", "text/plain", "<domain type='kvm'><name>x</name></domain>").status())
                .isEqualTo(400);

        assertThat(admin().get("/api/vms?host=qemu:///nowhere").status()).as("unconfigured host").isEqualTo(404);
        assertThat(admin().put("/api/vms/lbtest-no-such-vm/tags", JSON, "[\"bad tag\"]").status()).isEqualTo(400);
    }

    @Test
    void aHostThatDoesNotAnswerIs503AtOnce() throws Exception {
        long t0 = System.nanoTime();
        ApiClient.Reply reply = admin().get("/api/vms?host=" + SILENT_HOST_PARAM);

        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.body().path("detail").asString()).contains("127.0.0.1");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void anonymousCallersAre401() throws Exception {
        assertThat(anonymous().get("/api/vms").status()).isEqualTo(401);
        assertThat(anonymous().post("/api/vms/x/start").status()).isEqualTo(401);
        assertThat(anonymous().post("/api/vms/x/backups").status()).isEqualTo(401);
        assertThat(anonymous().post("/api/jobs/00000000-0000-0000-0000-000000000000/cancel").status()).isEqualTo(401);
    }
}
