package io.lifeboat.tests.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The appliance, as a process, backing up a VM with a real operating system (Debian 12 with
 * PostgreSQL under a write load, an HTTP service and qemu-guest-agent) under TCG: the backups are
 * application-consistent through the agent and its PostgreSQL fsfreeze hook; a restored clone and
 * an instant recovery of the incremental both boot, their agent answers, PostgreSQL starts with
 * every row the load saw committed and no hole, and the HTTP service answers; file-level restore
 * reads the same point's files without booting it; and an appliance
 * killed while the guest is frozen thaws it when it starts again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GuestEndToEndTest {

    private static final Duration JOB = Duration.ofMinutes(10);
    /** Inserts a row per transaction and appends its id to a file once the commit has returned. */
    private static final String LOAD = "mkdir -p /var/lib/lifeboat-load; while true; do"
            + " id=$(su postgres -c \"psql -d app -qtAc \\\"INSERT INTO rows (payload) VALUES (repeat('x', 2000)) RETURNING id\\\"\")"
            + " && echo \"$id\" >> /var/lib/lifeboat-load/committed; done";

    @TempDir
    static Path dir;

    private Path image;
    private Appliance appliance;
    private String vm;
    private Path console;
    private final List<String> defined = new ArrayList<>();

    @BeforeAll
    void bootTheGuest() throws Exception {
        image = Guest.image();
        appliance = Appliance.start(Files.createDirectories(dir.resolve("data")));
        vm = name("pg");
        console = dir.resolve(vm + "-console.log");
        Path disk = Guest.overlay(image, dir.resolve(vm + "-vda.qcow2"));
        Appliance.Reply created = appliance.post("/api/vms", "application/xml", Guest.domainXml(vm, image, disk, console));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(appliance.post("/api/vms/" + vm + "/start").status()).isEqualTo(200);
        Guest.awaitAgent(vm, Guest.BOOT);
        awaitPostgres(vm);
    }

    @Test
    @Order(1)
    void anApplicationConsistentIncrementalUnderLoadRestoresToACloneAndAnInstantRecoveryThatBoot() throws Exception {
        assertThat(Guest.sh(vm, "systemctl is-active lifeboat-http").strip()).isEqualTo("active");
        Guest.spawn(vm, LOAD);
        awaitCommitted(vm, 5);

        JsonNode full = appliance.backUp(vm, JOB);
        assertThat(full.path("consistency").asText()).as(full.toString()).isEqualTo("APPLICATION");
        assertThat(full.path("reason").isNull()).as("nothing to explain").isTrue();
        assertThat(full.path("kind").asText()).isEqualTo("FULL");
        long after = committed(vm);
        awaitCommitted(vm, after + 5);
        JsonNode incremental = appliance.backUp(vm, JOB);
        assertThat(incremental.path("kind").asText()).as(incremental.toString()).isEqualTo("INCREMENTAL");
        assertThat(incremental.path("consistency").asText()).isEqualTo("APPLICATION");
        assertThat(incremental.path("frozenMillis").isNumber()).as("freeze time recorded").isTrue();
        assertThat(incremental.path("frozenMillis").asLong()).as("the freeze spans only the checkpoint's creation")
                .isLessThan(JOB.toMillis());
        assertThat(Guest.sh(vm, "cat /var/log/fsfreeze-hook.log")).as("PostgreSQL checkpointed before each freeze")
                .containsIgnoringCase("checkpoint");
        String point = incremental.path("id").asText();

        // a clone beside the running original: boots on its own serial log
        String clone = name("clone");
        Path restored = Files.createDirectories(dir.resolve("restored"));
        Appliance.Reply started = appliance.post("/api/restore-points/" + point + "/restore", "application/json",
                "{\"mode\":\"clone\",\"name\":\"" + clone + "\",\"directory\":\"" + restored + "\",\"start\":true}");
        assertThat(started.status()).as(started.text()).isEqualTo(202);
        defined.add(clone);
        JsonNode job = appliance.awaitJob(started.body().path("jobId").asText(), JOB);
        assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        Guest.awaitAgent(clone, Guest.BOOT);
        assertBootedWithConsistentData(clone);

        // file-level restore of the same point: the files as the clone has them, without booting anything
        Appliance.Reply files = appliance.post("/api/restore-points/" + point + "/files");
        assertThat(files.status()).as(files.text()).isEqualTo(201);
        String browsed = "/api/file-sessions/" + files.body().path("id").asText();
        JsonNode root = files.body().path("filesystems").get(0);
        assertThat(root.path("type").asText()).isEqualTo("ext4");
        String fs = "?fs=" + root.path("device").asText();
        assertThat(appliance.get(browsed + "/ls" + fs + "&path=/etc").text()).contains("\"hostname\"", "\"fstab\"");
        assertThat(appliance.get(browsed + "/file" + fs + "&path=/etc/hostname").text()).isEqualTo("lifeboat-guest\n");
        assertThat(appliance.get(browsed + "/file" + fs + "&path=/var/lib/lifeboat-load/committed").text())
                .as("the load's file as the restore point holds it").isEqualTo(Guest.sh(clone, "cat /var/lib/lifeboat-load/committed"));
        Appliance.Reply logs = appliance.get(browsed + "/tar" + fs + "&path=/var/log");
        assertThat(logs.status()).isEqualTo(200);
        assertThat(logs.text()).contains("fsfreeze-hook.log");
        assertThat(appliance.delete(browsed).status()).isEqualTo(204);
        Guest.run(List.of("virsh", "-c", Guest.URI, "destroy", clone), Duration.ofMinutes(1));

        // an instant recovery of the same point: runs from the store, boots all the same
        String instant = name("instant");
        Appliance.Reply recovery = appliance.post("/api/restore-points/" + point + "/instant-recovery", "application/json",
                "{\"name\":\"" + instant + "\",\"imageDir\":\"" + dir.resolve("instant") + "\",\"copy\":false}");
        assertThat(recovery.status()).as(recovery.text()).isEqualTo(202);
        defined.add(instant);
        Guest.awaitAgent(instant, Guest.BOOT);
        assertBootedWithConsistentData(instant);
        String session = recovery.body().path("session").path("id").asText();
        JsonNode served = appliance.get("/api/instant-recoveries/" + session).body();
        assertThat(served.path("disks").get(0).path("bytesServed").asLong()).as("booted from the store").isPositive();
        assertThat(appliance.post("/api/instant-recoveries/" + session + "/stop").status()).isEqualTo(204);
        assertThat(appliance.get("/api/vms/" + instant).status()).isEqualTo(404);
    }

    @Test
    @Order(2)
    void theApplianceKilledWhileTheGuestIsFrozenThawsItWhenItStartsAgain() throws Exception {
        // a test hook: the next freeze waits in the guest's hooks long enough to kill the appliance
        Guest.sh(vm, "cat > /etc/qemu/fsfreeze-hook.d/zz-hold <<'EOF'\n#!/bin/sh\n"
                + "[ \"$1\" = freeze ] && [ -e /run/lifeboat-hold ] || exit 0\nrm -f /run/lifeboat-hold\n"
                + "echo lifeboat-freeze-held > /dev/ttyS0\nsleep 15\necho lifeboat-freeze-released > /dev/ttyS0\nEOF\n"
                + "chmod 755 /etc/qemu/fsfreeze-hook.d/zz-hold && touch /run/lifeboat-hold");
        long consoleBefore = Files.size(console);
        Appliance.Reply started = appliance.post("/api/vms/" + vm + "/backups");
        assertThat(started.status()).as(started.text()).isEqualTo(202);
        String killed = started.body().path("jobId").asText();
        awaitConsole(consoleBefore, "lifeboat-freeze-held");
        appliance.kill();
        awaitConsole(consoleBefore, "lifeboat-freeze-released");
        awaitFreezeStatus("frozen");

        appliance.restart();

        awaitFreezeStatus("thawed");
        assertThat(appliance.log()).contains("thawed the file systems of " + vm);
        JsonNode old = appliance.get("/api/jobs/" + killed).body();
        assertThat(old.path("state").asText()).as(old.toString()).isEqualTo("FAILED");
        assertThat(Guest.sh(vm, "echo written-after-thaw > /root/after && sync && cat /root/after").strip())
                .isEqualTo("written-after-thaw");
        JsonNode next = appliance.backUp(vm, JOB);
        assertThat(next.path("consistency").asText()).as(next.toString()).isEqualTo("APPLICATION");
    }

    @AfterAll
    void removeVms() throws Exception {
        defined.add(vm);
        try {
            if (appliance != null) {
                appliance.close();
            }
        } finally {
            for (String name : defined) {
                if (name == null) {
                    continue;
                }
                quietly("virsh", "-c", Guest.URI, "destroy", name);
                quietly("virsh", "-c", Guest.URI, "undefine", name, "--checkpoints-metadata", "--snapshots-metadata");
            }
        }
    }

    private void assertBootedWithConsistentData(String copy) throws Exception {
        awaitPostgres(copy);
        // one writer, one row per transaction: the table holds ids min..max without a hole, and
        // every id the load saw committed (written after its commit returned) is in it
        String[] table = Guest.sh(copy, "su postgres -c \"psql -d app -qtAc 'SELECT count(*), min(id), max(id) FROM rows'\"")
                .strip().split("\\|");
        long count = Long.parseLong(table[0]);
        long min = Long.parseLong(table[1]);
        long max = Long.parseLong(table[2]);
        String[] seen = Guest.sh(copy, "sort -n /var/lib/lifeboat-load/committed | sed -n '1p;$p'").strip().split("\n");
        long firstSeen = Long.parseLong(seen[0].strip());
        long lastSeen = Long.parseLong(seen[seen.length - 1].strip());
        assertThat(count).as("no hole in " + min + ".." + max).isEqualTo(max - min + 1);
        assertThat(min).isLessThanOrEqualTo(firstSeen);
        assertThat(lastSeen).as("every committed row is in the table").isLessThanOrEqualTo(max);
        assertThat(max).as("at most the one transaction whose id was not written yet").isLessThanOrEqualTo(lastSeen + 1);
        assertThat(Guest.sh(copy, "python3 -c \"import urllib.request as u; print(u.urlopen('http://127.0.0.1:8000/').read().decode())\""))
                .contains("lifeboat-guest ok");
        assertThat(Guest.sh(copy, "hostname").strip()).isEqualTo("lifeboat-guest");
    }

    private static void awaitPostgres(String vm) throws IOException, InterruptedException {
        Guest.Result r = Guest.exec(vm, "timeout 180 sh -c 'until pg_isready -q; do sleep 1; done'", Duration.ofMinutes(4));
        assertThat(r.exit()).as("PostgreSQL in " + vm + " accepts connections: " + r.err()).isZero();
    }

    private static long committed(String vm) throws IOException, InterruptedException {
        String n = Guest.sh(vm, "wc -l < /var/lib/lifeboat-load/committed 2>/dev/null || echo 0").strip();
        return Long.parseLong(n);
    }

    private static void awaitCommitted(String vm, long rows) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (committed(vm) < rows) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the write load in " + vm + " committed fewer than " + rows + " rows in 3 min");
            }
            Thread.sleep(500);
        }
    }

    private void awaitConsole(long from, String line) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            byte[] all = Files.readAllBytes(console);
            if (new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from),
                    java.nio.charset.StandardCharsets.UTF_8).contains(line)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the guest's console never said " + line);
            }
            Thread.sleep(200);
        }
    }

    private void awaitFreezeStatus(String status) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        String now = null;
        while (true) {
            try {
                now = Guest.agent(vm, "{\"execute\":\"guest-fsfreeze-status\"}", Duration.ofSeconds(10)).asText();
                if (now.equals(status)) {
                    return;
                }
            } catch (IOException busy) {
                now = busy.getMessage(); // the agent is still in the freeze command
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the guest's file systems not " + status + " within 2 min: " + now);
            }
            Thread.sleep(500);
        }
    }

    private static String name(String role) {
        return "lbtest-e2e-" + role + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static void quietly(String... command) {
        try {
            Guest.run(List.of(command), Duration.ofMinutes(1));
        } catch (IOException | InterruptedException ignored) {
            // gone already
        }
    }
}
