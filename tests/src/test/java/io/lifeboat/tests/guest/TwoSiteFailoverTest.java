package io.lifeboat.tests.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeboat.restore.agent.RestoreAgent;
import io.lifeboat.testkit.ConsoleCapture;
import io.lifeboat.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disaster recovery between two sites on one machine, with guests that have an operating system
 * (Debian 12: PostgreSQL, an HTTP service on port 8000, qemu-guest-agent) under TCG.
 *
 * <p>The primary site is an appliance process with three guests on a libvirt network of its own;
 * it backs them up, replicates to an S3 server with the runbook, and is lost (the appliance
 * killed, the guests powered off). The recovery site is the restore agent with only the bucket, a
 * storage directory and a libvirt network of its own: it fails over a runbook of 2 boot groups
 * (the database first, then both web servers), each VM checked by its agent and its HTTP service,
 * and reports RTO and RPO. Production then runs there and writes. When the primary is back, its
 * appliance fails the VMs back: what was written at the recovery site is on the primary's VMs,
 * bit for bit, and they answer again at home.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoSiteFailoverTest {

    private static final Duration JOB = Duration.ofMinutes(10);
    private static final String BUCKET = "lifeboat-dr";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private final String id = UUID.randomUUID().toString().substring(0, 6);
    private final String primaryNet = "lbp-" + id;
    private final String recoveryNet = "lbr-" + id;
    private final String runbook = "dr-" + id;
    private final String db = "lbtest-e2e-db-" + id;
    private final String web1 = "lbtest-e2e-web1-" + id;
    private final String web2 = "lbtest-e2e-web2-" + id;
    private final List<String> defined = new ArrayList<>();
    private final List<String> networks = new ArrayList<>();
    private S3ProxyServer s3;
    private Appliance primary;
    private Path image;
    private String[] bucket;
    /** What the recovery site wrote: file in the guest, and its SHA-256 there. */
    private final Map<String, String> written = new LinkedHashMap<>();

    @BeforeAll
    void startThePrimarySite() throws Exception {
        image = Guest.image();
        network(primaryNet);
        network(recoveryNet);
        s3 = S3ProxyServer.start(dir.resolve("s3"), BUCKET);
        bucket = new String[] {"--bucket", BUCKET, "--endpoint", s3.endpoint().toString(), "--access-key",
                S3ProxyServer.IDENTITY, "--secret-key", S3ProxyServer.CREDENTIAL, "--cache", dir.resolve("cache").toString()};
        primary = Appliance.start(Files.createDirectories(dir.resolve("primary")), List.of(
                "--lifeboat.replication.endpoint=" + s3.endpoint(),
                "--lifeboat.replication.bucket=" + BUCKET,
                "--lifeboat.replication.access-key=" + S3ProxyServer.IDENTITY,
                "--lifeboat.replication.secret-key=" + S3ProxyServer.CREDENTIAL,
                "--lifeboat.replication.after-backup=false"));
        for (String vm : List.of(db, web1, web2)) {
            Path disk = Guest.overlay(image, dir.resolve(vm + "-vda.qcow2"));
            Appliance.Reply created = primary.post("/api/vms", "application/xml",
                    Guest.domainXmlOn(primaryNet, vm, image, disk, dir.resolve(vm + "-console.log")));
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            defined.add(vm);
            assertThat(primary.post("/api/vms/" + vm + "/start").status()).isEqualTo(200);
        }
        for (String vm : List.of(db, web1, web2)) {
            Guest.awaitAgent(vm, Guest.BOOT);
            Guest.awaitBooted(vm, Guest.BOOT);
        }
    }

    @Test
    @Order(1)
    void theRecoverySiteWithOnlyTheBucketFailsOverTheRunbookInGroupOrderWithChecksGreen() throws Exception {
        for (String vm : List.of(db, web1, web2)) {
            Guest.sh(vm, "echo " + vm + " at the primary > /srv/www/site.html && sync");
            JsonNode point = primary.backUp(vm, JOB);
            assertThat(point.path("consistency").asText()).as(point.toString()).isEqualTo("APPLICATION");
        }
        Path recovered = Files.createDirectories(dir.resolve("recovery-images"));
        String yaml = "runbook: " + runbook + "\n"
                + "description: the shop, database first\n"
                + "primary: {target: " + Guest.URI + ", shutdown: true, timeout: 3m}\n"
                + "defaults:\n"
                + "  target: " + Guest.URI + "\n"
                + "  directory: " + recovered + "\n"
                + "  mode: restore\n"
                + "  identity: new\n"
                + "  networks: {" + primaryNet + ": " + recoveryNet + "}\n"
                + "  checks:\n"
                + "    - running:\n"
                + "    - agent: {timeout: 6m}\n"
                + "    - http: {port: 8000, path: /site.html, timeout: 6m}\n"
                + "groups:\n"
                + "  - name: database\n"
                + "    vms:\n"
                + "      - {vm: " + db + ", name: " + db + "-dr, mode: instant}\n"
                + "  - name: web\n"
                + "    vms:\n"
                + "      - {vm: " + web1 + ", name: " + web1 + "-dr}\n"
                + "      - {vm: " + web2 + ", name: " + web2 + "-dr}\n";
        Appliance.Reply saved = primary.post("/api/runbooks", "application/yaml", yaml);
        assertThat(saved.status()).as(saved.text()).isEqualTo(201);
        Appliance.Reply replication = primary.post("/api/replication");
        assertThat(replication.status()).as(replication.text()).isEqualTo(202);
        JsonNode job = primary.awaitJob(replication.body().path("jobId").asText(), JOB);
        assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("SUCCEEDED");

        // the primary site is lost: its appliance gone, its VMs powered off
        primary.kill();
        for (String vm : List.of(db, web1, web2)) {
            Guest.run(List.of("virsh", "-c", Guest.URI, "destroy", vm), Duration.ofMinutes(1));
        }

        Path runs = dir.resolve("recovery-runs");
        assertThat(agent("runbook", "list")).contains(runbook);
        agent("runbook", "ready", runbook, "--runs", runs.toString()); // exit 0: every VM is ready
        List.of(db, web1, web2).forEach(vm -> defined.add(vm + "-dr"));
        agent("runbook", "failover", runbook, "--runs", runs.toString(), "--work", dir.resolve("rw").toString(),
                "--dir", recovered.toString());

        JsonNode run = onlyRun(runs);
        assertThat(run.path("state").asText()).as(run.toString()).isEqualTo("DONE");
        assertThat(run.path("rtoSeconds").isNumber()).isTrue();
        Map<String, JsonNode> vms = new LinkedHashMap<>();
        run.path("vms").forEach(v -> vms.put(v.path("vm").asText(), v));
        for (String vm : List.of(db, web1, web2)) {
            JsonNode v = vms.get(vm);
            assertThat(v.path("name").asText()).isEqualTo(vm + "-dr");
            assertThat(v.path("rpoSeconds").asLong()).as("RPO: the age of its restore point").isPositive();
            assertThat(v.path("greenAt").asText()).isNotEmpty();
        }
        Instant dbGreen = Instant.parse(vms.get(db).path("greenAt").asText());
        for (String vm : List.of(web1, web2)) {
            assertThat(Instant.parse(vms.get(vm).path("startedAt").asText())).as("web starts after the database is green")
                    .isAfterOrEqualTo(dbGreen);
        }
        for (JsonNode s : run.path("steps")) {
            if (s.path("kind").asText().equals("checks")) {
                assertThat(s.path("detail").asText()).as(s.toString()).contains("agent", "http");
            }
        }
        // the recovered VMs run on the recovery site's network
        for (String vm : List.of(db, web1, web2)) {
            assertThat(Guest.run(List.of("virsh", "-c", Guest.URI, "domiflist", vm + "-dr"), Duration.ofMinutes(1)))
                    .contains(recoveryNet).doesNotContain(primaryNet);
            assertThat(Guest.sh(vm + "-dr", "cat /srv/www/site.html").strip()).isEqualTo(vm + " at the primary");
        }

        // production runs at the recovery site, and writes
        written.put(db, Guest.sh(db + "-dr", "head -c 16M /dev/urandom > /root/dr-data && sync && sha256sum /root/dr-data"));
        written.put(web1, Guest.sh(web1 + "-dr", "echo written at the recovery site > /srv/www/site.html && sync"
                + " && sha256sum /srv/www/site.html"));
    }

    @Test
    @Order(2)
    void thePrimaryBackFailsTheVmsBackWithWhatTheRecoverySiteWrote() throws Exception {
        assertThat(written).as("the failover ran").containsKeys(db, web1);
        primary.restart();
        Appliance.Reply started = primary.post("/api/runbooks/" + runbook + "/runs", "application/json",
                "{\"kind\":\"failback\",\"approve\":[\"cutover\"]}");
        assertThat(started.status()).as(started.text()).isEqualTo(202);
        String run = started.body().path("run").asText();
        JsonNode done = awaitRun(run, Duration.ofMinutes(30));
        assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("DONE");
        assertThat(done.path("downtimeSeconds").isNumber()).isTrue();
        for (JsonNode s : done.path("steps")) {
            if (s.path("kind").asText().equals("final")) {
                assertThat(s.path("detail").asText()).as("the cutover reads only what changed: " + s).contains("incremental");
            }
        }
        for (String vm : List.of(db, web1, web2)) {
            assertThat(state(vm)).isEqualTo("running");
            assertThat(state(vm + "-dr")).as("the recovered VM is shut off at the recovery site").isEqualTo("shut off");
        }
        // bit for bit: what the recovery site wrote is on the primary's VMs
        assertThat(Guest.sh(db, "sha256sum /root/dr-data")).isEqualTo(written.get(db));
        assertThat(Guest.sh(web1, "sha256sum /srv/www/site.html")).isEqualTo(written.get(web1));
        assertThat(Guest.sh(web2, "cat /srv/www/site.html").strip()).isEqualTo(web2 + " at the primary");
        assertThat(Guest.run(List.of("virsh", "-c", Guest.URI, "domiflist", db), Duration.ofMinutes(1)))
                .as("home on the primary's network").contains(primaryNet);
    }

    @AfterAll
    void stopBothSites() throws Exception {
        try {
            if (primary != null) {
                primary.close();
            }
            if (s3 != null) {
                s3.close();
            }
        } finally {
            for (String name : defined) {
                quietly("virsh", "-c", Guest.URI, "destroy", name);
                quietly("virsh", "-c", Guest.URI, "undefine", name, "--checkpoints-metadata", "--snapshots-metadata");
            }
            for (String net : networks) {
                quietly("virsh", "-c", Guest.URI, "net-destroy", net);
            }
        }
    }

    /** A transient isolated libvirt network with DHCP, on a /24 of 10.253.x that nothing here uses. */
    private void network(String name) throws IOException, InterruptedException {
        String used = Guest.run(List.of("ip", "-o", "-4", "addr"), Duration.ofMinutes(1));
        int x = 1 + Math.floorMod(name.hashCode(), 200);
        while (used.contains("10.253." + x + ".")) {
            x++;
        }
        Path xml = dir.resolve(name + ".xml");
        Files.writeString(xml, "<network><name>" + name + "</name><bridge name='" + name + "' stp='on' delay='0'/>"
                + "<ip address='10.253." + x + ".1' netmask='255.255.255.0'><dhcp><range start='10.253." + x
                + ".10' end='10.253." + x + ".250'/></dhcp></ip></network>");
        Guest.run(List.of("virsh", "-c", Guest.URI, "net-create", xml.toString()), Duration.ofMinutes(1));
        networks.add(name);
    }

    private JsonNode onlyRun(Path runs) throws IOException {
        try (var dirs = Files.list(runs)) {
            List<Path> all = dirs.filter(Files::isDirectory).toList();
            assertThat(all).hasSize(1);
            String id = all.get(0).getFileName().toString();
            return JSON.readTree(agent("--json", "runbook", "report", id, "--runs", runs.toString()));
        }
    }

    private JsonNode awaitRun(String run, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode r = primary.get("/api/runbook-runs/" + run).body();
            if (!r.path("state").asText().equals("RUNNING") || System.nanoTime() > deadline) {
                return r;
            }
            Thread.sleep(2000); // polling the run until it leaves RUNNING
        }
    }

    private static String state(String vm) throws IOException, InterruptedException {
        return Guest.run(List.of("virsh", "-c", Guest.URI, "domstate", vm), Duration.ofMinutes(1)).strip();
    }

    /** {@code restore-agent --bucket … ARGS}, in this JVM as a user would run it; its standard output. */
    private String agent(String... verb) {
        List<String> args = new ArrayList<>();
        int at = verb[0].equals("--json") ? 1 : 0; // an option of restore-agent itself, before the bucket's
        args.addAll(List.of(verb).subList(0, at));
        args.addAll(List.of(bucket));
        args.addAll(List.of(verb).subList(at, verb.length));
        ConsoleCapture.Run r = ConsoleCapture.run(() -> RestoreAgent.run(args.toArray(String[]::new)));
        assertThat(r.exit()).as("restore-agent %s\n%s\n%s", String.join(" ", verb), r.out(), r.err()).isZero();
        return r.out();
    }

    private static void quietly(String... command) {
        try {
            Guest.run(List.of(command), Duration.ofMinutes(1));
        } catch (IOException | InterruptedException | AssertionError | IllegalStateException ignored) {
            // already gone
        }
    }
}
