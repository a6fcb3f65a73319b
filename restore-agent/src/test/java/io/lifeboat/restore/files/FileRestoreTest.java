package io.lifeboat.restore.files;

import io.lifeboat.restore.RestoreException;
import io.lifeboat.restore.TestImages;
import io.lifeboat.store.BackupSession;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreConfig;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.ingest.Ingester;
import io.lifeboat.store.manifest.Manifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * File-level restore with real parts: disks made by guestfish (a GPT disk with an ext4 partition,
 * an MBR disk with LVM), ingested into a store as one restore point, read back through the NBD
 * export and a guestfish server; and a disk of garbage, refused with nothing left running.
 */
class FileRestoreTest {
    private static final String HOSTNAME = "web01.example\n";
    private static final String SYSLOG = "Dec  7 14:00:00 web01 kernel: hello\n";
    private static final String APP_LOG = "started\nstopped\n";
    private static final String README = "data on a logical volume\n";
    private static final String GRUB_CFG = "set timeout=5\n";
    private static final String INDEX = "<p>served from xfs</p>\n";
    private static final FileRestore.Options OPTIONS = new FileRestore.Options(true, 16);

    @TempDir
    static Path dir;
    private static Store store;
    private static Manifest point;
    private static Manifest garbage;

    @BeforeAll
    static void restorePoints() throws Exception {
        Path vda = dir.resolve("vda.img");
        Path vdb = dir.resolve("vdb.img");
        Path vdc = dir.resolve("vdc.img");
        Path vdd = dir.resolve("vdd.img");
        // one appliance boot makes all disks: GPT + ext4 on vda, MBR + LVM + ext4 on vdb,
        // MBR + vfat on vdc, MBR + xfs on vdd (xfs wants 300 MB at least; the file is sparse)
        String script = String.join("\n",
                "part-init /dev/sda gpt",
                "part-add /dev/sda p 2048 -2048",
                "mkfs ext4 /dev/sda1 label:root",
                "mount /dev/sda1 /",
                "mkdir-p /etc",
                "write /etc/hostname \"" + HOSTNAME.replace("\n", "\\n") + "\"",
                "ln-s hostname /etc/name-link",
                "write \"/etc/my notes.txt\" \"x\"",
                "mkdir-p /var/log/app",
                "write /var/log/syslog \"" + SYSLOG.replace("\n", "\\n") + "\"",
                "write /var/log/app/app.log \"" + APP_LOG.replace("\n", "\\n") + "\"",
                "chmod 0600 /var/log/app/app.log",
                "umount /",
                "mount /dev/VG/LV /",
                "mkdir-p /data",
                "write /data/readme.txt \"" + README.replace("\n", "\\n") + "\"",
                "umount /",
                "mount /dev/sdc1 /",
                "mkdir-p /EFI/BOOT",
                "write /EFI/BOOT/grub.cfg \"" + GRUB_CFG.replace("\n", "\\n") + "\"",
                "umount /",
                "mount /dev/sdd1 /",
                "mkdir-p /srv",
                "write /srv/index.html \"" + INDEX.replace("\n", "\\n") + "\"",
                "umount-all", "");
        Path scriptFile = Files.writeString(dir.resolve("make.gf"), script);
        TestImages.run("env", "LIBGUESTFS_BACKEND=direct", "LIBGUESTFS_BACKEND_SETTINGS=force_tcg",
                "guestfish", "-N", vda + "=disk:48M", "-N", vdb + "=lvfs:/dev/VG/LV:ext4:48M", "-N", vdc + "=fs:vfat:32M",
                "-N", vdd + "=fs:xfs:320M", "-f", scriptFile.toString());
        Path junk = dir.resolve("junk.img");
        byte[] noise = new byte[8 << 20];
        new java.util.Random(42).nextBytes(noise);
        Files.write(junk, noise);

        store = Store.init(dir.resolve("store"), StoreConfig.defaults());
        Ingester ingester = Ingester.forThisMachine(store.config().zstdLevel());
        try (BackupSession s = store.beginBackup("web01")) {
            ingester.ingestImage(s, "vda", vda, Progress.none());
            ingester.ingestImage(s, "vdb", vdb, Progress.none());
            ingester.ingestImage(s, "vdc", vdc, Progress.none());
            ingester.ingestImage(s, "vdd", vdd, Progress.none());
            point = s.commit(Manifest.Kind.FULL, Manifest.Consistency.OFFLINE, "", "", Map.of());
        }
        try (BackupSession s = store.beginBackup("junk01")) {
            ingester.ingestImage(s, "vda", junk, Progress.none());
            garbage = s.commit(Manifest.Kind.FULL, Manifest.Consistency.OFFLINE, "", "", Map.of());
        }
    }

    @AfterAll
    static void closeStore() throws Exception {
        store.close();
    }

    @Test
    void listsDownloadsAndTarsFilesOfGptAndLvmDisksThenClosesWhenIdle() throws Exception {
        Path root = dir.resolve("files");
        try (FileRestoreSessions sessions = new FileRestoreSessions(root, Duration.ofSeconds(4), 4, OPTIONS)) {
            FileRestore session = sessions.open(point, store.chunks());
            Path sessionDir = root.resolve(session.id());
            assertThat(session.restorePoint()).isEqualTo(point.id().toString());
            assertThat(session.filesystems()).extracting(GuestFilesystem::device, GuestFilesystem::type, GuestFilesystem::label)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("/dev/sda1", "ext4", "root"),
                            org.assertj.core.groups.Tuple.tuple("/dev/sdc1", "vfat", ""),
                            org.assertj.core.groups.Tuple.tuple("/dev/sdd1", "xfs", ""),
                            org.assertj.core.groups.Tuple.tuple("/dev/VG/LV", "ext4", ""));
            assertThat(session.filesystems().get(0).sizeBytes()).isBetween(40L << 20, 48L << 20);
            assertThat(guestfishProcesses(sessionDir)).as("the guestfish server and its appliance's qemu").isEqualTo(2);

            long t0 = System.nanoTime();
            List<GuestEntry> etc = session.list("/dev/sda1", GuestPath.of("/etc"));
            long first = System.nanoTime() - t0;
            assertThat(etc).extracting(GuestEntry::name, GuestEntry::type, GuestEntry::sizeBytes)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("hostname", GuestEntry.Type.FILE, (long) HOSTNAME.length()),
                            org.assertj.core.groups.Tuple.tuple("my notes.txt", GuestEntry.Type.FILE, 1L),
                            org.assertj.core.groups.Tuple.tuple("name-link", GuestEntry.Type.SYMLINK, 8L));
            assertThat(etc.get(0).mode()).isEqualTo("0644");
            assertThat(etc.get(0).mtime()).isBefore(java.time.Instant.now().plusSeconds(60))
                    .isAfter(java.time.Instant.now().minus(Duration.ofHours(1)));
            t0 = System.nanoTime();
            List<GuestEntry> log = session.list("/dev/sda1", GuestPath.of("/var/./log/"));
            long next = System.nanoTime() - t0;
            assertThat(log).extracting(GuestEntry::name, GuestEntry::type)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("app", GuestEntry.Type.DIR),
                            org.assertj.core.groups.Tuple.tuple("syslog", GuestEntry.Type.FILE));
            System.out.printf("file restore: launch %d ms, first listing %d ms, next listing %d ms%n",
                    session.launchTime().toMillis(), first / 1_000_000, next / 1_000_000);

            try (FileRestore.Download d = session.download("/dev/sda1", GuestPath.of("/etc/hostname"))) {
                assertThat(d.name()).isEqualTo("hostname");
                assertThat(Files.readString(d.file())).isEqualTo(HOSTNAME);
            }
            try (FileRestore.Download d = session.download("/dev/sda1", GuestPath.of("/etc/my notes.txt"))) {
                assertThat(Files.readString(d.file())).isEqualTo("x");
            }
            try (FileRestore.Download d = session.download("/dev/sda1", GuestPath.of("/etc/name-link"))) {
                assertThat(Files.readString(d.file())).as("a link is followed inside the guest").isEqualTo(HOSTNAME);
            }
            Path extracted = Files.createDirectories(dir.resolve("extracted"));
            try (FileRestore.Download d = session.tar("/dev/sda1", GuestPath.of("/var/log"))) {
                assertThat(d.name()).isEqualTo("log.tar");
                TestImages.run("tar", "-xf", d.file().toString(), "-C", extracted.toString());
                assertThat(d.file()).startsWith(sessionDir);
            }
            assertThat(Files.readString(extracted.resolve("syslog"))).isEqualTo(SYSLOG);
            assertThat(Files.readString(extracted.resolve("app/app.log"))).isEqualTo(APP_LOG);
            try (FileRestore.Download d = session.zip("/dev/sda1", GuestPath.of("/var/log"));
                 java.util.zip.ZipFile zip = new java.util.zip.ZipFile(d.file().toFile())) {
                assertThat(d.name()).isEqualTo("log.zip");
                assertThat(zip.stream().map(java.util.zip.ZipEntry::getName)).containsExactlyInAnyOrder("syslog", "app/", "app/app.log");
                assertThat(new String(zip.getInputStream(zip.getEntry("app/app.log")).readAllBytes(), StandardCharsets.UTF_8))
                        .isEqualTo(APP_LOG);
            }
            assertThatThrownBy(() -> session.zip("/dev/sda1", GuestPath.of("/etc/hostname"))).hasMessageContaining("is not a directory");
            assertThat(Files.list(sessionDir.resolve("downloads")).toList()).as("downloads deleted once closed").isEmpty();

            // the other file system, on LVM on the second disk; then back to the first
            assertThat(session.list("/dev/VG/LV", GuestPath.of("/data"))).extracting(GuestEntry::name).containsExactly("readme.txt");
            try (FileRestore.Download d = session.download("/dev/VG/LV", GuestPath.of("/data/readme.txt"))) {
                assertThat(Files.readString(d.file())).isEqualTo(README);
            }
            assertThat(session.list("/dev/sda1", GuestPath.of("/"))).extracting(GuestEntry::name).contains("etc", "var");
            // vfat on MBR, then xfs
            assertThat(session.list("/dev/sdc1", GuestPath.of("/EFI/BOOT"))).extracting(GuestEntry::name).containsExactly("grub.cfg");
            try (FileRestore.Download d = session.download("/dev/sdc1", GuestPath.of("/EFI/BOOT/grub.cfg"))) {
                assertThat(Files.readString(d.file())).isEqualTo(GRUB_CFG);
            }
            try (FileRestore.Download d = session.download("/dev/sdd1", GuestPath.of("/srv/index.html"))) {
                assertThat(Files.readString(d.file())).isEqualTo(INDEX);
            }

            assertThatThrownBy(() -> session.download("/dev/sda1", GuestPath.of("/etc/shadow")))
                    .isInstanceOf(RestoreException.class).hasMessage("no such file or directory: /etc/shadow on /dev/sda1")
                    .extracting(e -> ((RestoreException) e).kind()).isEqualTo(StoreException.Kind.NOT_FOUND);
            assertThatThrownBy(() -> session.list("/dev/sda1", GuestPath.of("/nope")))
                    .extracting(e -> ((RestoreException) e).kind()).isEqualTo(StoreException.Kind.NOT_FOUND);
            assertThatThrownBy(() -> session.list("/dev/sda1", GuestPath.of("/etc/hostname")))
                    .hasMessage("/etc/hostname on /dev/sda1 is not a directory");
            assertThatThrownBy(() -> session.download("/dev/sda1", GuestPath.of("/var/log")))
                    .hasMessageContaining("is a directory; download it as a tar archive");
            assertThatThrownBy(() -> session.tar("/dev/sda1", GuestPath.of("/etc/hostname")))
                    .hasMessageContaining("is not a directory");
            assertThatThrownBy(() -> session.list("/dev/sdz9", GuestPath.of("/")))
                    .hasMessageContaining("no file system /dev/sdz9").hasMessageContaining("/dev/sda1");
            assertThat(sessions.get(session.id())).as("still open while used").isSameAs(session);

            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!session.closed() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(session.closed()).as("closed after 4 s idle").isTrue();
            assertThatThrownBy(() -> sessions.get(session.id())).extracting(e -> ((RestoreException) e).kind())
                    .isEqualTo(StoreException.Kind.NOT_FOUND);
            assertThat(sessionDir).doesNotExist();
            assertThat(guestfishProcesses(sessionDir)).isZero();
        }
    }

    @Test
    void aDiskWithoutAFileSystemIsRefusedWithNothingLeftRunning() throws Exception {
        Path root = dir.resolve("files-junk");
        try (FileRestoreSessions sessions = new FileRestoreSessions(root, Duration.ofMinutes(10), 4, OPTIONS)) {
            assertThatThrownBy(() -> sessions.open(garbage, store.chunks()))
                    .isInstanceOf(RestoreException.class)
                    .hasMessageStartingWith("restore point " + garbage.id() + " has no file system that can be read on its disks [vda]")
                    .extracting(e -> ((RestoreException) e).kind()).isEqualTo(StoreException.Kind.BAD_INPUT);
            assertThat(sessions.list()).isEmpty();
            try (var left = Files.list(root)) {
                assertThat(left.toList()).as("the session directory is removed").isEmpty();
            }
            assertThat(guestfishProcesses(root)).isZero();
        }
    }

    @Test
    void aCommandPastItsDeadlineStopsTheApplianceAndLeavesNothing() throws Exception {
        Path root = dir.resolve("files-late");
        // the appliance's boot takes longer than this under TCG: the launch is the late command
        FileRestore.Options late = new FileRestore.Options(true, 16, Duration.ofSeconds(2));
        try (FileRestoreSessions sessions = new FileRestoreSessions(root, Duration.ofMinutes(10), 4, late)) {
            assertThatThrownBy(() -> sessions.open(point, store.chunks()))
                    .isInstanceOf(RestoreException.class)
                    .hasMessage("guestfish run did not answer within 2 s; the session's appliance was stopped");
            assertThat(sessions.list()).isEmpty();
            try (var left = Files.list(root)) {
                assertThat(left.toList()).as("the session directory is removed").isEmpty();
            }
            assertThat(guestfishProcesses(root)).isZero();
        }
    }

    @Test
    void whatADeadProcessLeftIsRemovedByTheNextOne() throws Exception {
        Path root = dir.resolve("files-crash");
        FileRestoreSessions crashed = new FileRestoreSessions(root, Duration.ofMinutes(10), 1, OPTIONS);
        FileRestore session = crashed.open(point, store.chunks());
        Path sessionDir = root.resolve(session.id());
        assertThat(guestfishProcesses(sessionDir)).isEqualTo(2);
        Path socket = Path.of("/tmp/.guestfish-" + Files.getAttribute(Path.of("/proc/self"), "unix:uid"),
                "socket-" + session.guestfishPid());
        assertThat(socket).exists();
        assertThatThrownBy(() -> crashed.open(point, store.chunks())).as("one session allowed")
                .hasMessageStartingWith("1 file restore session(s) are open, as many as allowed")
                .extracting(e -> ((RestoreException) e).kind()).isEqualTo(StoreException.Kind.CONFLICT);
        // the process "dies": nobody closes the session; guestfish runs on in the background
        try (FileRestoreSessions next = new FileRestoreSessions(root, Duration.ofMinutes(10), 4, OPTIONS)) {
            assertThat(guestfishProcesses(sessionDir)).as("guestfish and its qemu are gone").isZero();
            assertThat(sessionDir).doesNotExist();
            assertThat(socket).as("the killed server's socket").doesNotExist();
        } finally {
            crashed.close();
        }
    }

    /** guestfish (or its qemu) processes whose command line names a path under {@code dir}. */
    private static int guestfishProcesses(Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("pgrep", "-f", "guestfish.*" + dir).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        Process q = new ProcessBuilder("pgrep", "-f", "qemu.*" + dir).start();
        String qemu = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        q.waitFor();
        return (int) (out.lines().count() + qemu.lines().count());
    }
}
