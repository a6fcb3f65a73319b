package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.lifeboat.appliance.catalog.AuditEntry;
import io.lifeboat.appliance.catalog.AuditLog;
import io.lifeboat.appliance.inventory.TestVms;
import io.lifeboat.appliance.restore.RestoreJobs;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.read.ChunkSource;
import io.lifeboat.testkit.Gate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/restore-points/{vm}/{time}/restore} against the real libvirtd: restore points
 * made by real backups of tiny shut-off VMs, restored as a new VM and as a clone beside the
 * running original, bit for bit; refusals answered at once, changing nothing; a restore held in
 * its restore phase (its chunk reads wait for the test) cancelled, leaving nothing behind.
 */
class RestoreApiTest extends LibvirtAppliance {

    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final Pattern MAC = Pattern.compile("<mac address='([0-9a-f:]+)'/>");

    @Autowired
    AuditLog audit;

    @Autowired
    RestoreJobs restores;

    /** A shut-off VM with one 64 MiB qcow2 disk (2 MiB of 0x3c, then 1 MiB of 0x6b at 40 MiB) and a NIC. */
    private String sourceVm(String role) throws IOException, InterruptedException {
        String name = vms.name(role);
        Path disk = TestVms.qcow2(dir, name + "-vda.qcow2", 64 * TestVms.MIB);
        TestVms.write(disk, 0x3c, 0, 2 * TestVms.MIB);
        TestVms.write(disk, 0x6b, 40 * TestVms.MIB, TestVms.MIB);
        ApiClient.Reply defined = admin().post("/api/vms", XML, TestVms.domainXml(name, List.of(disk), true));
        assertThat(defined.status()).as(defined.text()).isEqualTo(201);
        return name;
    }

    private Path sourceDisk(String vm) {
        return dir.resolve(vm + "-vda.qcow2");
    }

    static String restorePath(String restorePoint) {
        return "/api/restore-points/" + restorePoint;
    }

    private static String body(String... fields) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < fields.length; i += 2) {
            b.append(i == 0 ? "" : ",").append('"').append(fields[i]).append("\":").append(fields[i + 1]);
        }
        return b.append('}').toString();
    }

    private static String quoted(Object s) {
        return "\"" + s + "\"";
    }

    private static List<String> macs(String vm) {
        Matcher m = MAC.matcher(TestVms.run("virsh", "-c", TestVms.URI, "dumpxml", vm));
        List<String> macs = new java.util.ArrayList<>();
        while (m.find()) {
            macs.add(m.group(1));
        }
        return macs;
    }

    @Test
    void restoreToANewVmIsBitExactWithANewIdentityAndRuns() throws Exception {
        String source = sourceVm("rsrc");
        String point = backUp(source);
        String name = vms.name("rnew");
        Path target = Files.createDirectories(dir.resolve("restored"));

        ApiClient.Reply accepted = admin().post(restorePath(point) + "/restore", JSON, body("mode", quoted("new"),
                "name", quoted(name), "directory", quoted(target), "start", "true"));

        assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
        String jobId = accepted.body().path("jobId").asString();
        assertThat(accepted.location()).isEqualTo("/api/jobs/" + jobId);
        Path file = target.resolve(name + "-vda.qcow2");
        assertThat(accepted.body().path("plan").path("disks").path("vda").asString()).isEqualTo(file.toString());
        JsonNode job = awaitJob(jobId, DEADLINE);
        assertThat(job.path("state").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.path("kind").asString()).isEqualTo("RESTORE");
        assertThat(job.path("vm").asString()).isEqualTo(source);
        assertThat(job.path("restorePoint").asString()).isEqualTo(point);
        assertThat(job.path("phase").asString()).isEqualTo("start");

        JsonNode result = admin().get("/api/jobs/" + jobId + "/restore").body();
        assertThat(result.path("vm").asString()).isEqualTo(name);
        assertThat(result.path("mode").asString()).isEqualTo("NEW_VM");
        assertThat(result.path("disks").path("vda").asString()).isEqualTo(file.toString());
        assertThat(result.path("defined").asBoolean()).isTrue();
        assertThat(result.path("started").asBoolean()).isTrue();

        JsonNode restored = admin().get("/api/vms/" + name).body();
        JsonNode original = admin().get("/api/vms/" + source).body();
        assertThat(restored.path("state").asString()).isEqualTo("RUNNING");
        assertThat(restored.path("uuid").asString()).isEqualTo(result.path("uuid").asString())
                .isNotEqualTo(original.path("uuid").asString());
        assertThat(restored.path("disks").get(0).path("path").asString()).isEqualTo(file.toString());
        assertThat(macs(name)).hasSize(1).doesNotContainAnyElementsOf(macs(source));
        TestVms.run("qemu-img", "compare", "-U", "-f", "qcow2", "-F", "qcow2", sourceDisk(source).toString(), file.toString());
        ApiClient.Reply late = admin().post("/api/jobs/" + jobId + "/cancel");
        assertThat(late.status()).as(late.text()).isEqualTo(409);
        assertThat(late.body().path("detail").asString()).contains("already ended (SUCCEEDED)");
        assertThat(audit.recent(20)).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("restore-point.restore");
            assertThat(e.target()).isEqualTo(point);
            assertThat(e.outcome()).isEqualTo(AuditEntry.Outcome.SUCCEEDED);
            assertThat(e.detail()).contains(name, jobId);
        });
    }

    @Test
    void aCloneRunsBesideTheRunningOriginal() throws Exception {
        String source = sourceVm("csrc");
        String point = backUp(source);
        assertThat(admin().post("/api/vms/" + source + "/start").status()).isEqualTo(200);
        String name = vms.name("clone");

        ApiClient.Reply accepted = admin().post(restorePath(point) + "/restore", JSON, body("mode", quoted("clone"),
                "name", quoted(name), "directory", quoted(dir), "format", quoted("raw"), "start", "true"));

        assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
        JsonNode job = awaitJob(accepted.body().path("jobId").asString(), DEADLINE);
        assertThat(job.path("state").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(admin().get("/api/vms/" + name).body().path("state").asString()).isEqualTo("RUNNING");
        assertThat(admin().get("/api/vms/" + source).body().path("state").asString()).isEqualTo("RUNNING");
        assertThat(macs(name)).hasSize(1).doesNotContainAnyElementsOf(macs(source));
        Path file = dir.resolve(name + "-vda.raw");
        TestVms.run("qemu-img", "compare", "-U", "-f", "qcow2", "-F", "raw", sourceDisk(source).toString(), file.toString());
    }

    @Test
    void aCloneOfAVmWithASerialLogFileGetsItsOwnAndRunsBesideTheOriginal() throws Exception {
        String source = vms.name("serialsrc");
        Path disk = TestVms.qcow2(dir, source + "-vda.qcow2", 64 * TestVms.MIB);
        Path log = dir.resolve(source + "-console.log");
        String serial = "<serial type='file'><source path='" + log + "'/><target port='0'/></serial>"
                + "<console type='file'><source path='" + log + "'/><target type='serial' port='0'/></console>";
        assertThat(admin().post("/api/vms", XML, TestVms.domainXml(source, List.of(disk), serial)).status()).isEqualTo(201);
        String point = backUp(source);
        assertThat(admin().post("/api/vms/" + source + "/start").status()).isEqualTo(200);
        String name = vms.name("serialclone");
        Path restored = Files.createDirectories(dir.resolve("serial-restored"));

        ApiClient.Reply plan = admin().post(restorePath(point) + "/restore?dryRun=true", JSON, body("mode", quoted("clone"),
                "name", quoted(name), "directory", quoted(restored)));
        assertThat(plan.status()).as(plan.text()).isEqualTo(200);
        Path own = restored.resolve(name + "-serial0.log");
        assertThat(plan.body().path("notes").toString()).contains("serial 0 writes to " + own + " instead of " + log);
        ApiClient.Reply accepted = admin().post(restorePath(point) + "/restore", JSON, body("mode", quoted("clone"),
                "name", quoted(name), "directory", quoted(restored), "start", "true"));

        assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
        JsonNode job = awaitJob(accepted.body().path("jobId").asString(), DEADLINE);
        assertThat(job.path("state").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(admin().get("/api/vms/" + name).body().path("state").asString()).isEqualTo("RUNNING");
        assertThat(admin().get("/api/vms/" + source).body().path("state").asString()).isEqualTo("RUNNING");
        assertThat(TestVms.run("virsh", "-c", TestVms.URI, "dumpxml", name)).contains(own.toString()).doesNotContain(log.toString());
        assertThat(own).exists();
    }

    @Test
    void aDryRunAndBadRequestsChangeNothing() throws Exception {
        String source = sourceVm("dry");
        String point = backUp(source);
        String name = vms.name("never");
        Path target = Files.createDirectories(dir.resolve("never"));
        int jobsBefore = admin().get("/api/jobs?limit=1000").body().size();

        ApiClient.Reply plan = admin().post(restorePath(point) + "/restore?dryRun=true", JSON,
                body("name", quoted(name), "directory", quoted(target)));
        assertThat(plan.status()).as(plan.text()).isEqualTo(200);
        assertThat(plan.body().path("name").asString()).isEqualTo(name);
        assertThat(plan.body().path("mode").asString()).isEqualTo("new");
        assertThat(plan.body().path("definesVm").asBoolean()).isTrue();
        assertThat(plan.body().path("disks").path("vda").asString()).isEqualTo(target.resolve(name + "-vda.qcow2").toString());
        assertThat(plan.body().path("domainXml").asString()).contains("<name>" + name + "</name>");

        ApiClient.Reply taken = admin().post(restorePath(point) + "/restore", JSON,
                body("name", quoted(source), "directory", quoted(target)));
        assertThat(taken.status()).as(taken.text()).isEqualTo(409);
        assertThat(taken.contentType()).startsWith("application/problem+json");
        assertThat(taken.body().path("detail").asString()).contains(source);

        String unknown = source + "/20200101T000000.000Z";
        ApiClient.Reply missing = admin().post(restorePath(unknown) + "/restore", JSON, body("name", quoted(name),
                "directory", quoted(target)));
        assertThat(missing.status()).as(missing.text()).isEqualTo(404);

        ApiClient.Reply badMode = admin().post(restorePath(point) + "/restore", JSON, body("mode", quoted("sideways"),
                "name", quoted(name), "directory", quoted(target)));
        assertThat(badMode.status()).isEqualTo(400);
        assertThat(badMode.body().path("detail").asString()).contains("sideways", "over-original");
        assertThat(admin().post(restorePath(point) + "/restore", JSON, body("name", quoted(name),
                "directory", quoted("relative/dir"))).status()).isEqualTo(400);
        assertThat(admin().post(restorePath(point) + "/restore", JSON, body("name", quoted(name),
                "directory", quoted(target), "format", quoted("vmdk"))).status()).isEqualTo(400);
        assertThat(admin().post("/api/restore-points/" + source + "/yesterday/restore", JSON, "{}").status()).isEqualTo(400);

        try (var left = Files.list(target)) {
            assertThat(left).as("nothing written").isEmpty();
        }
        assertThat(admin().get("/api/vms/" + name).status()).as("nothing defined").isEqualTo(404);
        assertThat(admin().get("/api/jobs?limit=1000").body().size()).as("no job").isEqualTo(jobsBefore);
        assertThat(audit.recent(20)).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("restore-point.restore");
            assertThat(e.target()).isEqualTo(point);
            assertThat(e.outcome()).isEqualTo(AuditEntry.Outcome.FAILED);
        });
    }

    @Test
    void aRestoreCancelledWhileItWritesLeavesNothingBehind() throws Exception {
        String source = sourceVm("xsrc");
        String point = backUp(source);
        String name = vms.name("xnew");
        Path target = Files.createDirectories(dir.resolve("cancelled"));
        Gate held = new Gate();
        restores.readChunksThrough(chunks -> held.guard(ChunkSource.class, chunks, "read",
                e -> new StoreException(StoreException.Kind.IO, "chunk read interrupted", e)));
        String jobId;
        try {
            ApiClient.Reply accepted = admin().post(restorePath(point) + "/restore", JSON, body("mode", quoted("new"),
                    "name", quoted(name), "directory", quoted(target), "start", "true"));
            restores.readChunksThrough(UnaryOperator.identity());
            assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
            jobId = accepted.body().path("jobId").asString();
            assertThat(held.awaitArrival(DEADLINE)).as("the job reads chunks").isTrue();
            JsonNode restoring = awaitJob(jobId, DEADLINE, j -> j.path("phase").asString().equals("restore vda"));
            assertThat(restoring.path("state").asString()).isEqualTo("RUNNING");

            ApiClient.Reply cancel = admin().post("/api/jobs/" + jobId + "/cancel");

            assertThat(cancel.status()).as(cancel.text()).isEqualTo(202);
            assertThat(cancel.body().path("id").asString()).isEqualTo(jobId);
        } finally {
            restores.readChunksThrough(UnaryOperator.identity());
            held.open();
        }
        JsonNode job = awaitJob(jobId, DEADLINE);
        assertThat(job.path("state").asString()).as(job.toString()).isEqualTo("CANCELLED");
        assertThat(job.path("error").asString()).isEqualTo("cancelled");
        try (var left = Files.list(target)) {
            assertThat(left).as("no disk file, no hidden staging file").isEmpty();
        }
        assertThat(admin().get("/api/vms/" + name).status()).as("no VM defined").isEqualTo(404);
        assertThat(admin().get("/api/jobs/" + jobId + "/restore").body().path("defined").isNull()).isTrue();

        ApiClient.Reply again = admin().post("/api/jobs/" + jobId + "/cancel");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body().path("detail").asString()).contains("already ended (CANCELLED)");
        assertThat(admin().post("/api/jobs/" + UUID.randomUUID() + "/cancel").status()).isEqualTo(404);
        assertThat(audit.recent(20)).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("job.cancel");
            assertThat(e.target()).isEqualTo(jobId);
            assertThat(e.outcome()).isEqualTo(AuditEntry.Outcome.SUCCEEDED);
        });
    }
}
