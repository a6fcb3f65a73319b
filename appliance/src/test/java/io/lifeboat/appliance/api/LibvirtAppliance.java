package io.lifeboat.appliance.api;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.lifeboat.appliance.inventory.TestVms;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The appliance managing the real libvirtd ({@code qemu:///system}) plus a second host that does
 * not answer, with backup reads limited to {@value #READ_LIMIT} bytes/s so a test can catch a job
 * mid-read. VMs are tiny (64 MiB, no OS, qcow2 disks in a temp directory), named
 * {@code lbtest-<role>-<random>} and removed after each test whatever it left. Subclasses share
 * one running appliance.
 */
public abstract class LibvirtAppliance extends RunningAppliance {

    public static final String SILENT_HOST = "qemu+tcp://127.0.0.1:1/system";
    static final long READ_LIMIT = 4 * TestVms.MIB;
    /** {@link #SILENT_HOST} as a query parameter: a bare '+' would arrive as a space. */
    static final String SILENT_HOST_PARAM = java.net.URLEncoder.encode(SILENT_HOST, java.nio.charset.StandardCharsets.UTF_8);
    public static final String XML = "application/xml";
    public static final String JSON = "application/json";

    @DynamicPropertySource
    static void libvirt(DynamicPropertyRegistry registry) {
        registry.add("lifeboat.inventory.uris[0]", () -> TestVms.URI);
        registry.add("lifeboat.inventory.uris[1]", () -> SILENT_HOST);
        registry.add("lifeboat.backup.max-read-bytes-per-second", () -> READ_LIMIT);
    }

    @TempDir
    protected Path dir;

    protected final TestVms vms = new TestVms();

    @AfterEach
    void removeVms() {
        vms.close();
    }

    /** Defines, through the API, a VM with one qcow2 disk of 64 MiB whose first {@code written} bytes hold 0x5a. */
    public String defineVm(String role, long written) throws IOException, InterruptedException {
        return defineVm(role, written, 0x5a);
    }

    /**
     * As {@link #defineVm(String, long)} with another byte {@code pattern}: the appliance's store is
     * shared, and a test that counts new bytes must not find its data already stored by another.
     */
    public String defineVm(String role, long written, int pattern) throws IOException, InterruptedException {
        String name = vms.name(role);
        Path disk = TestVms.qcow2(dir, name + "-vda.qcow2", 64 * TestVms.MIB);
        if (written > 0) {
            TestVms.write(disk, pattern, 0, written);
        }
        ApiClient.Reply defined = admin().post("/api/vms", XML, TestVms.domainXml(name, List.of(disk), false));
        if (defined.status() != 201) {
            throw new AssertionError("define " + name + ": " + defined.status() + " " + defined.text());
        }
        return name;
    }

    /** Backs {@code vm} up through the API and waits for the job: the restore point's id ({@code vm/time}). */
    public String backUp(String vm) throws IOException, InterruptedException {
        ApiClient.Reply started = admin().post("/api/vms/" + vm + "/backups");
        if (started.status() != 202) {
            throw new AssertionError("backup of " + vm + ": " + started.status() + " " + started.text());
        }
        JsonNode job = awaitJob(started.body().path("jobId").asString(), Duration.ofSeconds(120));
        if (!job.path("state").asString().equals("SUCCEEDED")) {
            throw new AssertionError("backup of " + vm + " did not succeed: " + job);
        }
        return job.path("restorePoint").asString();
    }

    /** Polls the runbook run until it has left RUNNING (or {@code timeout} has passed): the run then. */
    public JsonNode awaitRun(String id, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode run = admin().get("/api/runbook-runs/" + id).body();
            String state = run.path("state").asString();
            if (!state.equals("RUNNING") || System.nanoTime() > deadline) {
                return run;
            }
            Thread.sleep(200); // polling the run until it leaves RUNNING
        }
    }

    /** Polls the job until it has ended; fails after {@code timeout}. */
    public JsonNode awaitJob(String id, Duration timeout) throws IOException, InterruptedException {
        return awaitJob(id, timeout, j -> isFinal(j.path("state").asString()));
    }

    public JsonNode awaitJob(String id, Duration timeout, java.util.function.Predicate<JsonNode> until)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode job = admin().get("/api/jobs/" + id).body();
            if (until.test(job)) {
                return job;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("job " + id + " not there after " + timeout.toSeconds() + " s: " + job);
            }
            Thread.sleep(100);
        }
    }

    /**
     * Starts a replication run, waiting while another one (say the one after a backup) is going:
     * the job id.
     */
    public String startReplication(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ApiClient.Reply started = admin().post("/api/replication");
            if (started.status() == 202) {
                return started.body().path("jobId").asString();
            }
            if (started.status() != 409 || System.nanoTime() > deadline) {
                throw new AssertionError("replication not started: " + started.status() + " " + started.text());
            }
            Thread.sleep(100);
        }
    }

    /** Polls the policy until a GC run of it has finished: that run, from its {@code recentRuns}. */
    JsonNode awaitGcRun(String policy, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (JsonNode r : admin().get("/api/policies/" + policy).body().path("recentRuns")) {
                if (r.path("kind").asString().equals("GC") && !r.path("outcome").asString().equals("RUNNING")) {
                    return r;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no finished GC run of " + policy + " within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(200);
        }
    }

    private static boolean isFinal(String state) {
        return state.equals("SUCCEEDED") || state.equals("FAILED") || state.equals("CANCELLED");
    }
}
