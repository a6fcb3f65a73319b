package io.lifeboat.tests.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
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
 * File-level restore on the guest image's other two layouts, each booted and running: GPT (an EFI
 * system partition in vfat and an ext4 root) and LVM on MBR (an xfs root on a logical volume).
 * Each is backed up application-consistent while it runs, a file in {@code /var/log} is changed
 * after the backup, and the restore point's files are what the guest had at backup time: the
 * listing of {@code /etc}, {@code /etc/hostname}, {@code /var/log} as a tar, a file of the EFI
 * partition; and files go back into the running guest through its agent. Then the appliance
 * replicates, and {@code restore-agent files} reads the same files from the bucket alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FileRestoreLayoutsTest {

    private static final Duration JOB = Duration.ofMinutes(10);
    private static final String BUCKET = "layouts";
    private static final String MARKER = "/var/log/lifeboat-marker";

    /** A layout of the image: its disk, the kernel's root, and the file systems a restore point of it shows. */
    private record Layout(String disk, String root, String hostname, Map<String, String> filesystems, String rootFs) {
    }

    private static final Layout GPT = new Layout("disk-gpt.qcow2", "/dev/vda2", "lifeboat-gpt",
            Map.of("/dev/sda1", "vfat", "/dev/sda2", "ext4"), "/dev/sda2");
    private static final Layout LVM = new Layout("disk-lvm.qcow2", "/dev/mapper/lifeboat-root", "lifeboat-lvm",
            Map.of("/dev/lifeboat/root", "xfs"), "/dev/lifeboat/root");

    @TempDir
    static Path dir;

    private S3ProxyServer s3;
    private Appliance appliance;
    private final Map<Layout, String> vms = new HashMap<>();
    /** Per layout: the restore point, and the marker's bytes at backup time. */
    private final Map<Layout, String> points = new HashMap<>();
    private final Map<Layout, String> markers = new HashMap<>();
    private final List<String> defined = new ArrayList<>();

    @BeforeAll
    void bootBothLayouts() throws Exception {
        Path image = Guest.image();
        s3 = S3ProxyServer.start(dir.resolve("s3"), BUCKET);
        appliance = Appliance.start(Files.createDirectories(dir.resolve("data")), List.of(
                "--lifeboat.replication.endpoint=" + s3.endpoint(),
                "--lifeboat.replication.bucket=" + BUCKET,
                "--lifeboat.replication.access-key=" + S3ProxyServer.IDENTITY,
                "--lifeboat.replication.secret-key=" + S3ProxyServer.CREDENTIAL,
                "--lifeboat.replication.after-backup=false"));
        for (Layout layout : List.of(GPT, LVM)) {
            String vm = "lbtest-e2e-" + layout.hostname() + "-" + UUID.randomUUID().toString().substring(0, 8);
            Path disk = Guest.overlay(image, layout.disk(), dir.resolve(vm + "-vda.qcow2"));
            Appliance.Reply created = appliance.post("/api/vms", "application/xml",
                    Guest.domainXml(vm, image, disk, dir.resolve(vm + "-console.log"), layout.root()));
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            defined.add(vm);
            vms.put(layout, vm);
            // both boot at once: two TCG guests on two cores take little longer than one
            assertThat(appliance.post("/api/vms/" + vm + "/start").status()).isEqualTo(200);
        }
        for (Layout layout : List.of(GPT, LVM)) {
            Guest.awaitAgent(vms.get(layout), Guest.BOOT);
            Guest.awaitBooted(vms.get(layout), Guest.BOOT);
        }
    }

    @Test
    @Order(1)
    void eachLayoutsRestorePointHoldsTheFilesTheRunningGuestHadAtBackupTime() throws Exception {
        for (Layout layout : List.of(GPT, LVM)) {
            String vm = vms.get(layout);
            assertThat(Guest.sh(vm, "findmnt -n -o SOURCE,FSTYPE /").strip()).as("the guest runs from its own layout")
                    .contains(layout == GPT ? "ext4" : "xfs");
            String marker = Guest.sh(vm, "head -c 2048 /dev/urandom | base64 > " + MARKER + " && cat " + MARKER);
            JsonNode point = appliance.backUp(vm, JOB);
            assertThat(point.path("consistency").asText()).as(point.toString()).isEqualTo("APPLICATION");
            Guest.sh(vm, "echo changed after the backup > " + MARKER);
            points.put(layout, point.path("id").asText());
            markers.put(layout, marker);

            Appliance.Reply opened = appliance.post("/api/restore-points/" + point.path("id").asText() + "/files");
            assertThat(opened.status()).as(opened.text()).isEqualTo(201);
            String session = "/api/file-sessions/" + opened.body().path("id").asText();
            Map<String, String> found = new HashMap<>();
            opened.body().path("filesystems").forEach(f -> found.put(f.path("device").asText(), f.path("type").asText()));
            assertThat(found).as(opened.text()).containsAllEntriesOf(layout.filesystems());

            String fs = "?fs=" + layout.rootFs();
            assertThat(appliance.get(session + "/ls" + fs + "&path=/etc").text()).contains("\"hostname\"", "\"fstab\"");
            assertThat(appliance.get(session + "/file" + fs + "&path=/etc/hostname").text())
                    .isEqualTo(Guest.sh(vm, "cat /etc/hostname")).isEqualTo(layout.hostname() + "\n");
            Path tar = dir.resolve(layout.hostname() + "-log.tar");
            assertThat(appliance.download(session + "/tar" + fs + "&path=/var/log", tar)).isEqualTo(200);
            Path untarred = Files.createDirectories(dir.resolve(layout.hostname() + "-log"));
            Guest.run(List.of("tar", "-xf", tar.toString(), "-C", untarred.toString()), Duration.ofMinutes(1));
            assertThat(Files.readString(untarred.resolve("lifeboat-marker"))).as("the marker as it was at backup time")
                    .isEqualTo(marker);
            assertThat(untarred.resolve("fsfreeze-hook.log")).as("the freeze of this backup was logged").exists();
            if (layout == GPT) {
                assertThat(appliance.get(session + "/file?fs=/dev/sda1&path=/EFI/lifeboat/README.txt").text())
                        .isEqualTo(Guest.sh(vm, "cat /boot/efi/EFI/lifeboat/README.txt"))
                        .isEqualTo("the EFI system partition of lifeboat-gpt\n");
            }
            if (layout == GPT) {
                assertPutBackIntoTheRunningGuest(session, vm, marker);
            }
            assertThat(appliance.delete(session).status()).isEqualTo(204);
        }
    }

    /** Files of the restore point go back into the running guest through its agent. */
    private void assertPutBackIntoTheRunningGuest(String session, String vm, String marker) throws Exception {
        String back = "{\"fs\":\"/dev/sda2\",\"path\":\"" + MARKER + "\",\"vm\":\"" + vm + "\"";
        Appliance.Reply refused = appliance.post(session + "/put-back", "application/json", back + "}");
        assertThat(refused.status()).as(refused.text()).isEqualTo(409);
        assertThat(refused.text()).contains("exists");
        assertThat(Guest.sh(vm, "cat " + MARKER)).as("nothing written").isEqualTo("changed after the backup\n");

        Appliance.Reply put = appliance.post(session + "/put-back", "application/json", back + ",\"overwrite\":true}");
        assertThat(put.status()).as(put.text()).isEqualTo(200);
        assertThat(put.body().path("replaced").asBoolean()).isTrue();
        assertThat(Guest.sh(vm, "cat " + MARKER)).as("the marker as it was at backup time, back in place").isEqualTo(marker);
        assertThat(Guest.sh(vm, "stat -c %a " + MARKER).strip()).isEqualTo(put.body().path("mode").asText().replaceFirst("^0", ""));
        assertThat(Guest.sh(vm, "ls -A /var/log | grep -c lifeboat- ; true").strip()).as("no temporary file left").isEqualTo("1");

        // a file of several agent writes (1 MiB each), to a new place
        String lib = "/usr/lib/x86_64-linux-gnu/libc.so.6";
        Appliance.Reply copied = appliance.post(session + "/put-back", "application/json", "{\"fs\":\"/dev/sda2\",\"path\":\""
                + lib + "\",\"vm\":\"" + vm + "\",\"target\":\"/root/libc-from-backup\"}");
        assertThat(copied.status()).as(copied.text()).isEqualTo(200);
        assertThat(copied.body().path("sizeBytes").asLong()).isGreaterThan(1L << 20);
        assertThat(Guest.sh(vm, "sha256sum < /root/libc-from-backup")).isEqualTo(Guest.sh(vm, "sha256sum < " + lib));

        Appliance.Reply dir = appliance.post(session + "/put-back", "application/json",
                "{\"fs\":\"/dev/sda2\",\"path\":\"/etc\",\"vm\":\"" + vm + "\",\"target\":\"/root/etc\"}");
        assertThat(dir.status()).as(dir.text()).isEqualTo(400);
        assertThat(Guest.exec(vm, "test -e /root/etc", Duration.ofSeconds(30)).exit()).as("nothing written").isNotZero();
    }

    @Test
    @Order(2)
    void theSameFilesComeFromTheBucketAlone() throws Exception {
        assertThat(points).as("the first test made the restore points").containsKeys(GPT, LVM);
        Appliance.Reply replication = appliance.post("/api/replication");
        assertThat(replication.status()).as(replication.text()).isEqualTo(202);
        JsonNode job = appliance.awaitJob(replication.body().path("jobId").asText(), JOB);
        assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        // the recovery site has the bucket and nothing of the appliance: the agent reads the bucket only
        appliance.close();
        String[] bucket = {"--bucket", BUCKET, "--endpoint", s3.endpoint().toString(), "--access-key",
                S3ProxyServer.IDENTITY, "--secret-key", S3ProxyServer.CREDENTIAL, "--cache", dir.resolve("cache").toString()};

        String point = points.get(LVM);
        assertThat(agent(bucket, "files", point)).contains("/dev/lifeboat/root").contains("xfs");
        assertThat(agent(bucket, "files", point, "--fs", LVM.rootFs(), "--ls", "/etc")).contains("hostname");
        Path hostname = dir.resolve("bucket-hostname");
        agent(bucket, "files", point, "--fs", LVM.rootFs(), "--get", "/etc/hostname", "-o", hostname.toString());
        assertThat(Files.readString(hostname)).isEqualTo(LVM.hostname() + "\n");
        Path tar = dir.resolve("bucket-log.tar");
        agent(bucket, "files", point, "--fs", LVM.rootFs(), "--tar", "/var/log", "-o", tar.toString());
        Path untarred = Files.createDirectories(dir.resolve("bucket-log"));
        Guest.run(List.of("tar", "-xf", tar.toString(), "-C", untarred.toString()), Duration.ofMinutes(1));
        assertThat(Files.readString(untarred.resolve("lifeboat-marker"))).isEqualTo(markers.get(LVM));
    }

    @AfterAll
    void removeVms() throws Exception {
        try {
            if (appliance != null) {
                appliance.close();
            }
            if (s3 != null) {
                s3.close();
            }
        } finally {
            for (String name : defined) {
                quietly("virsh", "-c", Guest.URI, "destroy", name);
                quietly("virsh", "-c", Guest.URI, "undefine", name, "--checkpoints-metadata", "--snapshots-metadata");
            }
        }
    }

    /** {@code restore-agent ARGS}, in this JVM as a user would run it; its standard output. */
    private static String agent(String[] bucket, String... verb) {
        String[] args = new String[bucket.length + verb.length];
        System.arraycopy(bucket, 0, args, 0, bucket.length);
        System.arraycopy(verb, 0, args, bucket.length, verb.length);
        ConsoleCapture.Run r = ConsoleCapture.run(() -> RestoreAgent.run(args));
        assertThat(r.exit()).as("restore-agent %s\n%s\n%s", String.join(" ", verb), r.out(), r.err()).isZero();
        return r.out();
    }

    private static void quietly(String... command) {
        try {
            Guest.run(List.of(command), Duration.ofMinutes(1));
        } catch (IOException | InterruptedException | AssertionError ignored) {
            // already gone
        }
    }
}
