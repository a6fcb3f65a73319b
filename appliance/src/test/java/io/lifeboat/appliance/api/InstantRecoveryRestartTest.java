package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import io.lifeboat.appliance.TestDirectories;
import io.lifeboat.appliance.inventory.TestVms;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The appliance killed with SIGKILL while an instant recovery's copy runs (slowed by a bandwidth
 * limit), then started again on the same data directory: the session is served again, its copy
 * starts again under a new job with the same limit and pivots the VM onto a flat image that holds
 * the restore point. The killed job is marked FAILED.
 */
class InstantRecoveryRestartTest {

    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final long BANDWIDTH = 2 * TestVms.MIB;

    @Test
    void aCopyCutShortByAKillIsResumedAndCompletes() throws Exception {
        // short: the session's unix socket lives under the data directory
        Path top = TestDirectories.removedAtExit("lb-ir");
        Path data = top.resolve("data");
        Map<String, String> settings = Map.of("lifeboat.inventory.uris[0]", TestVms.URI);
        try (TestVms vms = new TestVms()) {
            String source = vms.name("irksrc");
            Path disk = TestVms.qcow2(top, source + "-vda.qcow2", 32 * TestVms.MIB);
            TestVms.write(disk, 0x5a, 0, 12 * TestVms.MIB);
            TestVms.write(disk, 0x6b, 20 * TestVms.MIB, 4 * TestVms.MIB);
            String name = vms.name("irk");
            Path image = top.resolve("images").resolve(name + "-vda.qcow2");
            String interrupted;
            String session;
            try (ApplianceProcess first = ApplianceProcess.start(data, settings)) {
                ApiClient api = first.admin();
                assertThat(api.post("/api/vms", LibvirtAppliance.XML, TestVms.domainXml(source, List.of(disk), false))
                        .status()).isEqualTo(201);
                JsonNode backup = awaitJob(first, api.post("/api/vms/" + source + "/backups").body().path("jobId").asString(),
                        j -> isFinal(j));
                assertThat(backup.path("state").asString()).as(backup.toString()).isEqualTo("SUCCEEDED");
                ApiClient.Reply started = api.post("/api/restore-points/" + backup.path("restorePoint").asString()
                        + "/instant-recovery", LibvirtAppliance.JSON, "{\"name\":\"" + name + "\",\"imageDir\":\""
                        + image.getParent() + "\",\"bandwidth\":" + BANDWIDTH + "}");
                assertThat(started.status()).as(started.text()).isEqualTo(202);
                interrupted = started.body().path("jobId").asString();
                session = started.body().path("session").path("id").asString();
                // 4 MiB copied at 2 MiB/s: the job's catalog rows are seconds old, past H2's write delay
                // (a SIGKILL loses the last half second of catalog writes), and half the data is left
                JsonNode copying = awaitJob(first, interrupted, j -> j.path("phase").asString("").equals("copy vda")
                        && j.path("bytesDone").asLong() >= 4 * TestVms.MIB || isFinal(j));
                assertThat(copying.path("state").asString()).as(copying.toString()).isEqualTo("RUNNING");
                first.kill();
            }

            try (ApplianceProcess second = ApplianceProcess.start(data, settings)) {
                ApiClient api = second.admin();
                ApiClient.Reply old = api.get("/api/jobs/" + interrupted);
                assertThat(old.body().path("state").asString()).as(old.status() + " " + old.text() + "\n" + second.log())
                        .isEqualTo("FAILED");
                JsonNode resumed = awaitSession(second, session, s -> s.path("jobId").isString()
                        && !s.path("jobId").asString().equals(interrupted));
                String job = resumed.path("jobId").asString();
                JsonNode done = awaitJob(second, job, j -> isFinal(j));
                assertThat(done.path("state").asString()).as(done + "\n" + second.log()).isEqualTo("SUCCEEDED");
                assertThat(api.get("/api/jobs/" + job + "/restore").body().path("bandwidth").asLong()).isEqualTo(BANDWIDTH);
                assertThat(api.get("/api/instant-recoveries/" + session).body().path("state").asString()).isEqualTo("PIVOTED");
                JsonNode vm = api.get("/api/vms/" + name).body();
                assertThat(vm.path("state").asString()).isEqualTo("RUNNING");
                assertThat(vm.path("disks").get(0).path("path").asString()).isEqualTo(image.toString());
            }
            assertThat(TestVms.run("qemu-img", "info", "-U", image.toString())).doesNotContain("backing file");
            TestVms.run("qemu-img", "compare", "-U", "-f", "qcow2", "-F", "qcow2", disk.toString(), image.toString());
        }
    }

    private static boolean isFinal(JsonNode job) {
        String state = job.path("state").asString();
        return state.equals("SUCCEEDED") || state.equals("FAILED") || state.equals("CANCELLED");
    }

    private static JsonNode awaitJob(ApplianceProcess appliance, String id, Predicate<JsonNode> until) throws Exception {
        return await(appliance, "/api/jobs/" + id, until);
    }

    private static JsonNode awaitSession(ApplianceProcess appliance, String id, Predicate<JsonNode> until) throws Exception {
        return await(appliance, "/api/instant-recoveries/" + id, until);
    }

    private static JsonNode await(ApplianceProcess appliance, String path, Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            JsonNode node = appliance.admin().get(path).body();
            if (until.test(node)) {
                return node;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(path + " not there after " + DEADLINE.toSeconds() + " s: " + node + "\n" + appliance.log());
            }
            Thread.sleep(100);
        }
    }
}
