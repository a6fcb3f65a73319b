package io.lifeboat.restore.instant;

import io.lifeboat.kvm.domain.Disk;
import io.lifeboat.kvm.domain.DomainXml;
import io.lifeboat.kvm.libvirt.LibvirtConnection;
import io.lifeboat.nbd.ExportStatistics;
import io.lifeboat.restore.RestoreException;
import io.lifeboat.restore.TestImages;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreConfig;
import io.lifeboat.store.BackupSession;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.ingest.Ingester;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.read.ChunkSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.LibvirtException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Instant recovery against the real libvirtd and QEMU (TCG): a VM runs on a restore point served
 * over NBD, guest writes made while its disk is copied survive the pivot, and an agent that stops
 * mid-copy leaves a VM that pauses rather than reading garbage and goes on after a resume.
 */
class InstantRecoveryTest {
    private static final String URI = "qemu:///system";
    private static final long MIB = 1 << 20;
    private static final long DISK = 64 * MIB;
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private Store store;
    private Manifest point;
    private Path source;
    private Connect libvirt;
    private final List<String> vms = new ArrayList<>();

    @BeforeEach
    void restorePoint() throws Exception {
        source = dir.resolve("source.raw");
        TestImages.run("qemu-img", "create", "-q", "-f", "raw", source.toString(), Long.toString(DISK));
        TestImages.run("qemu-io", "-f", "raw", source.toString(), "-c", "write -P 0x11 0 4M", "-c", "write -P 0x22 32M 1M");
        store = Store.init(dir.resolve("store"), StoreConfig.defaults());
        String xml = "<domain type='qemu'><name>web01</name><uuid>" + UUID.randomUUID() + "</uuid>"
                + "<memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>"
                + "<devices><disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                + "<source file='/nonexistent/web01.raw'/><target dev='vda' bus='virtio'/><alias name='ua-vda'/></disk>"
                + "<interface type='user'><mac address='52:54:00:12:34:56'/><model type='virtio'/></interface>"
                + "<memballoon model='none'/></devices></domain>";
        try (BackupSession s = store.beginBackup("web01")) {
            Ingester.forThisMachine(store.config().zstdLevel()).ingestImage(s, "vda", source, Progress.none());
            point = s.commit(Manifest.Kind.FULL, Manifest.Consistency.OFFLINE, "", xml, Map.of());
        }
        libvirt = LibvirtConnection.open(URI);
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (String vm : vms) {
            Domain d;
            try {
                d = libvirt.domainLookupByName(vm);
            } catch (LibvirtException gone) {
                continue;
            }
            if (d.isActive() == 1) {
                d.destroy();
            }
            d.undefine();
        }
        libvirt.close();
        store.close();
    }

    private InstantRecovery.Options options(String vm) {
        vms.add(vm);
        return new InstantRecovery.Options(vm, true, dir.resolve("images"), URI, 16, 0);
    }

    private String vmName() {
        return "lbtest-ir-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void theVmRunsAtOnceAndItsWritesDuringTheCopySurviveThePivot() throws Exception {
        String vm = vmName();
        try (InstantRecovery recovery = new InstantRecovery(dir.resolve("ir"))) {
            InstantSession session = recovery.start(point, store.chunks(), options(vm));

            Domain domain = libvirt.domainLookupByName(vm);
            assertThat(domain.getInfo().state).isEqualTo(DomainInfo.DomainState.VIR_DOMAIN_RUNNING);
            ExportStatistics served = recovery.served(session.id(), "vda").orElseThrow();
            assertThat(served.bytesRead()).as("running after reading only a small part of the disk").isLessThan(2 * MIB);
            DomainXml live = DomainXml.parse(domain.getXMLDesc(0));
            assertThat(live.uuid()).isNotEqualTo(DomainXml.parse(point.domainXml()).uuid());
            assertThat(live.macs()).doesNotContain("52:54:00:12:34:56").hasSize(1);

            // copy slowly, and write while it goes on: into a hole and over restored data
            CompletableFuture<InstantSession> copy = CompletableFuture.supplyAsync(() -> {
                try {
                    return recovery.copyAndPivot(session.id(), 8 * MIB, new Progress());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await(() -> jobProgress(domain) > 0, "the copy to start");
            guestWrite(domain, 0x5a, 40 * MIB, MIB);
            guestWrite(domain, 0x6b, MIB, 64 * 1024);
            assertThat(jobProgress(domain)).as("the writes happened while the copy was going on").isPositive();

            InstantSession done = copy.get();
            assertThat(done.state()).isEqualTo(InstantSession.State.PIVOTED);
            assertThat(recovery.session(session.id()).state()).isEqualTo(InstantSession.State.PIVOTED);
            assertThat(recovery.served(session.id(), "vda")).as("the export is closed").isEmpty();
            String xml = domain.getXMLDesc(0);
            Path image = dir.resolve("images").resolve(vm + "-vda.qcow2");
            assertThat(DomainXml.parse(xml).disks().get(0).path()).isEqualTo(image.toString());
            assertThat(xml).doesNotContain("nbd", "overlay");
            assertThat(Files.exists(Path.of(session.disks().get(0).overlay()))).isFalse();
            assertThat(domain.getInfo().state).isEqualTo(DomainInfo.DomainState.VIR_DOMAIN_RUNNING);

            domain.destroy();
            assertThat(TestImages.run("qemu-img", "info", image.toString())).doesNotContain("backing file");
            Path model = dir.resolve("model.raw");
            Files.copy(source, model);
            TestImages.run("qemu-io", "-f", "raw", model.toString(), "-c", "write -P 0x5a 40M 1M", "-c", "write -P 0x6b 1M 64k");
            TestImages.run("qemu-img", "compare", "-f", "raw", "-F", "qcow2", model.toString(), image.toString());
        }
    }

    @Test
    void aVmWhoseExportStopsPausesAndGoesOnWhenItIsServedAgain() throws Exception {
        String vm = vmName();
        String id;
        Path sessions = dir.resolve("ir");
        try (InstantRecovery first = new InstantRecovery(sessions)) {
            id = first.start(point, store.chunks(), options(vm)).id();
        } // the agent stops: the export goes away with it
        Domain domain = libvirt.domainLookupByName(vm);
        guestRead(domain, 32 * MIB, MIB); // needs the export
        await(() -> state(domain) == DomainInfo.DomainState.VIR_DOMAIN_PAUSED, "the VM to pause on the failed read");

        try (InstantRecovery second = new InstantRecovery(sessions)) {
            assertThat(second.sessions()).extracting(InstantSession::id).containsExactly(id);
            assertThat(second.resume(id, point, store.chunks(), 16, 0).state()).isEqualTo(InstantSession.State.SERVING);
            await(() -> state(domain) == DomainInfo.DomainState.VIR_DOMAIN_RUNNING, "the VM to run again");
            assertThat(second.copyAndPivot(id, 0, new Progress()).state()).isEqualTo(InstantSession.State.PIVOTED);
        }
        domain.destroy();
        TestImages.run("qemu-img", "compare", "-f", "raw", "-F", "qcow2", source.toString(),
                dir.resolve("images").resolve(vm + "-vda.qcow2").toString());
    }

    @Test
    void aRestorePointWithMissingChunksOrATakenNameIsRefusedBeforeAnythingIsCreated() throws Exception {
        Path sessions = dir.resolve("ir");
        try (InstantRecovery recovery = new InstantRecovery(sessions)) {
            String vm = vmName();
            try (Store elsewhere = Store.init(dir.resolve("elsewhere"), StoreConfig.defaults())) {
                assertThatThrownBy(() -> recovery.start(point, elsewhere.chunks(), options(vm)))
                        .as("a store without the restore point's chunks")
                        .isInstanceOfSatisfying(RestoreException.class,
                                e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.NOT_FOUND))
                        .hasMessageContaining("chunk(s)").hasMessageContaining("nothing was started");
            }
            assertThat(libvirt.listDefinedDomains()).doesNotContain(vm);
            try (var left = Files.list(sessions)) {
                assertThat(left).isEmpty();
            }

            String taken = vmName();
            vms.add(taken);
            libvirt.domainDefineXML("<domain type='qemu'><name>" + taken + "</name><memory unit='MiB'>64</memory>"
                    + "<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>");
            assertThatThrownBy(() -> recovery.start(point, store.chunks(), options(taken)))
                    .isInstanceOfSatisfying(RestoreException.class,
                            e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.CONFLICT))
                    .hasMessageContaining(taken);
            try (var left = Files.list(sessions)) {
                assertThat(left).isEmpty();
            }
            assertThat(Files.exists(dir.resolve("images"))).isFalse();
        }
    }

    @Test
    void aSecondRunIsRefusedWhileOneServesOrCopiesTheSession() throws Exception {
        String vm = vmName();
        Path sessions = dir.resolve("ir");
        try (InstantRecovery first = new InstantRecovery(sessions);
             InstantRecovery second = new InstantRecovery(sessions)) {
            InstantSession session = first.start(point, store.chunks(), options(vm));
            Path socket = Path.of(session.socket());
            String pid = Long.toString(ProcessHandle.current().pid());

            assertThatThrownBy(() -> second.resume(session.id(), point, store.chunks(), 16, 0))
                    .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.CONFLICT))
                    .hasMessageContaining("session " + session.id() + " is being served by").hasMessageContaining("pid " + pid);
            assertThatThrownBy(() -> second.copyAndPivot(session.id(), 0, new Progress()))
                    .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.CONFLICT));
            assertThat(Files.exists(socket)).as("the serving run's socket is left alone").isTrue();
            assertThat(second.served(session.id(), "vda")).isEmpty();

            Domain domain = libvirt.domainLookupByName(vm);
            CompletableFuture<InstantSession> copy = CompletableFuture.supplyAsync(() -> {
                try {
                    return first.copyAndPivot(session.id(), 8 * MIB, new Progress()); // slow: still copying below
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await(() -> jobProgress(domain) > 0, "the copy to start");
            assertThatThrownBy(() -> first.copyAndPivot(session.id(), 0, new Progress()))
                    .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.CONFLICT))
                    .hasMessageContaining("being copied already");
            assertThat(copy.get().state()).isEqualTo(InstantSession.State.PIVOTED);
            assertThat(Files.exists(socket)).as("removed when the first run stopped serving").isFalse();
            try (var left = Files.list(sessions.resolve(session.id()))) {
                assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("session.json", "lock");
            }
        }
        domain(vm).destroy();
        TestImages.run("qemu-img", "compare", "-f", "raw", "-F", "qcow2", source.toString(),
                dir.resolve("images").resolve(vm + "-vda.qcow2").toString());
    }

    @Test
    void theCopyPivotsWhileTheGuestKeepsTheMirrorBehind() throws Exception {
        String vm = vmName();
        try (InstantRecovery recovery = new InstantRecovery(dir.resolve("ir"))) {
            InstantSession session = recovery.start(point, store.chunks(), options(vm));
            Domain domain = libvirt.domainLookupByName(vm);
            // nearly stalled, so that the test decides when the mirror is ready
            CompletableFuture<InstantSession> copy = CompletableFuture.supplyAsync(() -> {
                try {
                    return recovery.copyAndPivot(session.id(), 1, new Progress());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await(() -> jobProgress(domain) > 0, "the copy to start");
            virsh("blockjob", vm, "vda", "--bandwidth", "0");
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (!mirror(domain).contains("ready='yes'") && !copy.isDone()) { // no pause: the window is short
                assertThat(System.nanoTime()).as("the mirror to be ready").isLessThan(deadline);
            }
            try {
                // a busy guest: the mirror falls behind and, nearly stalled, stays behind (cur < end for good)
                virsh("blockjob", vm, "vda", "--bandwidth", "1", "--bytes");
                guestWrite(domain, 0x7c, 8 * MIB, 4 * MIB);
                await(() -> mirror(domain).contains("ready='pivot'") || copy.isDone(),
                        "the pivot to be asked for while the mirror is behind");
                virsh("blockjob", vm, "vda", "--bandwidth", "0");
            } catch (RuntimeException pivotedFirst) {
                // the copy polled before the guest wrote and pivoted at once: no job left to slow down
                // (the copy may still be recording the pivot when the job is already gone)
                assertThat(pivotedFirst).hasMessageContaining("does not have an active block job");
                copy.get(DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                guestWrite(domain, 0x7c, 8 * MIB, 4 * MIB);
            }
            assertThat(copy.get().state()).isEqualTo(InstantSession.State.PIVOTED);
        }
        domain(vm).destroy();
        Path model = dir.resolve("model.raw");
        Files.copy(source, model);
        TestImages.run("qemu-io", "-f", "raw", model.toString(), "-c", "write -P 0x7c 8M 4M");
        TestImages.run("qemu-img", "compare", "-f", "raw", "-F", "qcow2", model.toString(),
                dir.resolve("images").resolve(vm + "-vda.qcow2").toString());
    }

    /**
     * The restore's domain rules hold for instant recovery too: a disk that is not in the restore
     * point (here the original's data disk, whose file exists on this host) is removed rather than
     * shared, and a cdrom whose image is not there is left empty, so the VM starts.
     */
    @Test
    void disksNotInTheRestorePointAreDroppedAndMissingMediaEjected() throws Exception {
        Path shared = dir.resolve("original-data.raw");
        TestImages.run("qemu-img", "create", "-q", "-f", "raw", shared.toString(), "1M");
        String xml = "<domain type='qemu'><name>db01</name><uuid>" + UUID.randomUUID() + "</uuid>"
                + "<memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>"
                + "<devices><disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                + "<source file='/nonexistent/db01.raw'/><target dev='vda' bus='virtio'/></disk>"
                + "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                + "<source file='" + shared + "'/><target dev='vdb' bus='virtio'/></disk>"
                + "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>"
                + "<source file='/nonexistent/install.iso'/><target dev='sda' bus='sata'/><readonly/></disk>"
                + "<memballoon model='none'/></devices></domain>";
        Manifest withMore;
        try (BackupSession s = store.beginBackup("db01")) {
            Ingester.forThisMachine(store.config().zstdLevel()).ingestImage(s, "vda", source, Progress.none());
            withMore = s.commit(Manifest.Kind.FULL, Manifest.Consistency.OFFLINE, "", xml, Map.of());
        }
        String vm = vmName();
        try (InstantRecovery recovery = new InstantRecovery(dir.resolve("ir"))) {
            recovery.start(withMore, store.chunks(), options(vm));
            Domain d = domain(vm);
            assertThat(d.getInfo().state).isEqualTo(DomainInfo.DomainState.VIR_DOMAIN_RUNNING);
            DomainXml live = DomainXml.parse(d.getXMLDesc(0));
            assertThat(live.disks()).extracting(Disk::target).containsExactlyInAnyOrder("vda", "sda");
            assertThat(live.disks()).filteredOn(disk -> disk.target().equals("sda")).singleElement()
                    .satisfies(cdrom -> assertThat(cdrom.path()).isNull());
            assertThat(d.getXMLDesc(0)).doesNotContain(shared.toString());
        }
    }

    /**
     * A session goes only once no VM needs it: refused while served and while a failed session's VM
     * still runs on its overlay; a failed session whose VM is gone, and a pivoted one, are removed.
     */
    @Test
    void aSessionIsDiscardedOnlyOnceNoVmUsesItsOverlays() throws Exception {
        String vm = vmName();
        Path sessions = dir.resolve("ir");
        String id;
        try (InstantRecovery recovery = new InstantRecovery(sessions)) {
            id = recovery.start(point, store.chunks(), options(vm)).id();
            assertThatThrownBy(() -> recovery.discard(id)).isInstanceOfSatisfying(RestoreException.class,
                    e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.CONFLICT)).hasMessageContaining("served here");
        }
        Path session = sessions.resolve(id);
        InstantSession.read(session).with(InstantSession.State.FAILED, "given up").write(session);
        try (InstantRecovery recovery = new InstantRecovery(sessions)) {
            assertThatThrownBy(() -> recovery.discard(id)).isInstanceOfSatisfying(RestoreException.class,
                    e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.CONFLICT)).hasMessageContaining("still uses");
            assertThat(session).exists();

            Domain domain = domain(vm);
            domain.destroy();
            domain.undefine();
            recovery.discard(id);
            assertThat(session).doesNotExist();
            assertThatThrownBy(() -> recovery.session(id)).isInstanceOfSatisfying(RestoreException.class,
                    e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.NOT_FOUND));
        }
    }

    /** A drill that has been checked is stopped: the VM, its export and the session go; the store is untouched. */
    @Test
    void aStoppedRecoveryRemovesItsVmItsExportAndItsSession() throws Exception {
        String vm = vmName();
        Path sessions = dir.resolve("ir");
        try (InstantRecovery recovery = new InstantRecovery(sessions)) {
            InstantSession session = recovery.start(point, store.chunks(), options(vm));
            guestWrite(domain(vm), 0x5e, 0, MIB); // the drill's writes, thrown away with the VM
            Path socket = Path.of(session.socket());
            assertThat(socket).exists();

            recovery.stop(session.id());

            assertThatThrownBy(() -> libvirt.domainLookupByName(vm)).isInstanceOf(LibvirtException.class);
            assertThat(sessions.resolve(session.id())).doesNotExist();
            assertThat(socket).doesNotExist();
            assertThat(recovery.served(session.id(), "vda")).isEmpty();
            assertThatThrownBy(() -> recovery.stop(session.id())).isInstanceOfSatisfying(RestoreException.class,
                    e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.NOT_FOUND));
        }
        assertThat(new io.lifeboat.store.verify.Verifier(store).run(Progress.none()).ok()).isTrue();
    }

    @Test
    void aFailedStartLeavesAVmOfTheSameNameDefinedMeanwhileAlone() throws Exception {
        String vm = vmName();
        String foreignUuid = UUID.randomUUID().toString();
        AtomicBoolean defined = new AtomicBoolean();
        Path sessions = dir.resolve("ir");
        try (InstantRecovery recovery = new InstantRecovery(sessions)) {
            // someone else defines the name after the first check, while the chunks are checked
            ChunkSource meanwhile = new ChunkSource() {
                @Override
                public byte[] read(Digest d) throws StoreException {
                    return store.chunks().read(d);
                }

                @Override
                public boolean has(Digest d) throws StoreException {
                    if (defined.compareAndSet(false, true)) {
                        try {
                            libvirt.domainDefineXML("<domain type='qemu'><name>" + vm + "</name><uuid>" + foreignUuid
                                    + "</uuid><memory unit='MiB'>64</memory><os><type arch='x86_64' machine='pc'>hvm</type></os></domain>");
                        } catch (LibvirtException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    return store.chunks().has(d);
                }
            };
            assertThatThrownBy(() -> recovery.start(point, meanwhile, options(vm)))
                    .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.CONFLICT))
                    .hasMessageContaining(vm);
            try (var left = Files.list(sessions)) {
                assertThat(left).isEmpty();
            }
        }
        assertThat(defined).isTrue();
        assertThat(domain(vm).getUUIDString()).as("the other VM is still defined").isEqualTo(foreignUuid);
    }

    @Test
    void anUnreadableSessionFileIsListedApartAndTheOthersStillAre() throws Exception {
        Path sessions = dir.resolve("ir");
        try (InstantRecovery recovery = new InstantRecovery(sessions)) {
            Path good = Files.createDirectories(sessions.resolve("0000000a"));
            new InstantSession("0000000a", point.id().toString(), "vm-a", URI, good.resolve("nbd.sock").toString(),
                    List.of(new InstantSession.Disk("vda", "/o", "/i")), InstantSession.State.SERVING,
                    "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", null).write(good);
            Path bad = Files.createDirectories(sessions.resolve("0000000b")).resolve(InstantSession.FILE);
            Files.writeString(bad, "{\"id\": \"0000000b\", \"disks\": [");
            Path alien = Files.createDirectories(sessions.resolve("0000000c")).resolve(InstantSession.FILE);
            Files.writeString(alien, "{}");

            SessionListing listing = recovery.listSessions();
            assertThat(listing.sessions()).extracting(InstantSession::id).containsExactly("0000000a");
            assertThat(listing.unreadable()).extracting(SessionListing.Unreadable::file).containsExactly(bad, alien);
            assertThat(listing.unreadable()).allSatisfy(u -> assertThat(u.error()).isNotBlank());
            assertThat(recovery.sessions()).extracting(InstantSession::id).containsExactly("0000000a");
            try (var left = Files.list(good)) {
                assertThat(left.map(p -> p.getFileName().toString())).as("no temporary file left").containsExactly("session.json");
            }
        }
    }

    @Test
    void aResumedVmGoesOnOnlyWhenEveryDiskIsConnectedAgain() throws Exception {
        Path second = dir.resolve("second.raw");
        TestImages.run("qemu-img", "create", "-q", "-f", "raw", second.toString(), Long.toString(DISK));
        TestImages.run("qemu-io", "-f", "raw", second.toString(), "-c", "write -P 0x33 0 2M", "-c", "write -P 0x44 16M 1M");
        Manifest two;
        try (BackupSession s = store.beginBackup("web02")) {
            Ingester.forThisMachine(store.config().zstdLevel()).ingestImage(s, "vda", source, Progress.none());
            Ingester.forThisMachine(store.config().zstdLevel()).ingestImage(s, "vdb", second, Progress.none());
            two = s.commit(Manifest.Kind.FULL, Manifest.Consistency.OFFLINE, "", domainXml("web02", 2), Map.of());
        }
        String vm = vmName();
        Path sessions = dir.resolve("ir");
        String id;
        try (InstantRecovery first = new InstantRecovery(sessions)) {
            id = first.start(two, store.chunks(), options(vm)).id();
        } // the agent stops
        Domain domain = libvirt.domainLookupByName(vm);
        guestRead(domain, "vda", 32 * MIB, MIB);
        await(() -> state(domain) == DomainInfo.DomainState.VIR_DOMAIN_PAUSED, "the VM to pause on the failed read");

        try (InstantRecovery again = new InstantRecovery(sessions)) {
            assertThat(again.resume(id, two, store.chunks(), 16, 0).state()).isEqualTo(InstantSession.State.SERVING);
            assertThat(again.served(id, "vda").orElseThrow().activeConnections()).isPositive();
            assertThat(again.served(id, "vdb").orElseThrow().activeConnections())
                    .as("the disk the guest had not read since the export went away is connected too").isPositive();
            guestRead(domain, "vdb", 16 * MIB, MIB);
            assertThat(state(domain)).isEqualTo(DomainInfo.DomainState.VIR_DOMAIN_RUNNING);
            assertThat(again.copyAndPivot(id, 0, new Progress()).state()).isEqualTo(InstantSession.State.PIVOTED);
        }
        domain.destroy();
        TestImages.run("qemu-img", "compare", "-f", "raw", "-F", "qcow2", second.toString(),
                dir.resolve("images").resolve(vm + "-vdb.qcow2").toString());
    }

    private static String domainXml(String name, int disks) {
        StringBuilder xml = new StringBuilder("<domain type='qemu'><name>" + name + "</name><uuid>" + UUID.randomUUID()
                + "</uuid><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>");
        for (int i = 0; i < disks; i++) {
            String t = "vd" + (char) ('a' + i);
            xml.append("<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/nonexistent/")
                    .append(name).append('-').append(t).append(".raw'/><target dev='").append(t)
                    .append("' bus='virtio'/><alias name='ua-").append(t).append("'/></disk>");
        }
        return xml.append("<memballoon model='none'/></devices></domain>").toString();
    }

    private Domain domain(String vm) throws LibvirtException {
        return libvirt.domainLookupByName(vm);
    }

    private static void virsh(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("virsh", "-q", "-c", URI));
        command.addAll(List.of(args));
        TestImages.run(command.toArray(String[]::new));
    }

    /** The live definition's {@code <mirror>} of vda, or "" when it has none. */
    private static String mirror(Domain domain) {
        try {
            String xml = domain.getXMLDesc(0);
            int at = xml.indexOf("<mirror");
            return at < 0 ? "" : xml.substring(at, xml.indexOf('>', at) + 1);
        } catch (LibvirtException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long jobProgress(Domain domain) {
        try {
            return domain.getBlockJobInfo("vda", 0).cur;
        } catch (LibvirtException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DomainInfo.DomainState state(Domain domain) {
        try {
            return domain.getInfo().state;
        } catch (LibvirtException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The guest writes, through the VM's own virtio device (the monitor's qemu-io). */
    private static void guestWrite(Domain domain, int pattern, long offset, long length) throws LibvirtException {
        domain.qemuMonitorCommand(String.format(
                "qemu-io -d /machine/peripheral/ua-vda/virtio-backend \"write -P 0x%02x %d %d\"", pattern, offset, length), 1);
    }

    private static void guestRead(Domain domain, long offset, long length) throws LibvirtException {
        guestRead(domain, "vda", offset, length);
    }

    private static void guestRead(Domain domain, String disk, long offset, long length) throws LibvirtException {
        domain.qemuMonitorCommand(String.format(
                "qemu-io -d /machine/peripheral/ua-%s/virtio-backend \"read %d %d\"", disk, offset, length), 1);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
