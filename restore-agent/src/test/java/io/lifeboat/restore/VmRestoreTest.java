package io.lifeboat.restore;

import io.lifeboat.kvm.domain.Disk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.kvm.domain.DomainXml;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.RestorePointId;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.DomainInfo.DomainState;

/** Restores against the real libvirtd and QEMU (TCG): new VM, clone, over the original, single disks. */
class VmRestoreTest {
    private static final String NETWORK = "<interface type='network'><mac address='52:54:00:aa:00:02'/>"
            + "<source network='lbtest-net-a'/><model type='virtio'/></interface>";

    @TempDir
    static Path shared;
    static BackedUpVm vm;
    static Store store;
    static VmRestore restore;

    @TempDir
    Path target;
    TestLibvirt libvirt;

    @BeforeAll
    static void backUp() throws Exception {
        vm = BackedUpVm.create("lbtest-restore-orig-" + java.util.UUID.randomUUID().toString().substring(0, 8), shared);
        store = vm.openStore();
        restore = new VmRestore(new RestoreSource(store));
    }

    @AfterAll
    static void closeStore() throws StoreException {
        store.close();
    }

    @BeforeEach
    void connect() throws Exception {
        libvirt = new TestLibvirt();
    }

    @AfterEach
    void cleanUp() throws Exception {
        libvirt.close();
    }

    @Test
    void newVmInQcow2IsBitExactRemappedAndRuns() throws Exception {
        String name = libvirt.name("new");
        Progress progress = new Progress();
        RestoreResult result = restore.restore(RestoreRequest.of(vm.restorePoint, target).withName(name).withStart(true), progress);

        Path vda = target.resolve(name + "-vda.qcow2");
        Path vdb = target.resolve(name + "-vdb.qcow2");
        assertThat(result.diskFiles()).isEqualTo(Map.of("vda", vda, "vdb", vdb));
        assertThat(listing(target)).containsExactlyInAnyOrder(vda.getFileName().toString(), vdb.getFileName().toString());
        assertThat(TestImages.format(vda)).isEqualTo("qcow2");
        assertThat(TestImages.sameContent(vm.pristine("vda"), "qcow2", vda, "qcow2")).isTrue();
        assertThat(TestImages.sameContent(vm.pristine("vdb"), "qcow2", vdb, "qcow2")).isTrue();

        libvirt.awaitState(name, DomainState.VIR_DOMAIN_RUNNING);
        assertThat(result.started()).isTrue();
        DomainXml defined = DomainXml.parse(libvirt.inactiveXml(name));
        assertThat(defined.name()).isEqualTo(name);
        assertThat(defined.uuid()).isEqualTo(result.uuid()).isNotEqualTo(vm.uuid);
        assertThat(defined.macs()).hasSize(1).doesNotContain(vm.mac).allMatch(m -> m.startsWith("52:54:00:"));
        assertThat(defined.disks()).extracting(Disk::path).containsExactly(vda.toString(), vdb.toString());
        assertThat(defined.disks()).extracting(Disk::format).containsOnly("qcow2");
        assertThat(progress.snapshot().phase()).isEqualTo("start");
    }

    @Test
    void rawDisksAreSparseAndBitExact() throws Exception {
        String name = libvirt.name("raw");
        restore.restore(RestoreRequest.of(vm.restorePoint, target).withName(name).withFormat(DiskFormat.RAW), Progress.none());

        Path vda = target.resolve(name + "-vda.raw");
        assertThat(TestImages.sameContent(vm.pristine("vda"), "qcow2", vda, "raw")).isTrue();
        assertThat(TestImages.sameContent(vm.pristine("vdb"), "qcow2", target.resolve(name + "-vdb.raw"), "raw")).isTrue();
        assertThat(Files.size(vda)).isEqualTo(8 * TestImages.MIB);
        assertThat(TestImages.allocated(vda)).isLessThan(3 * TestImages.MIB); // 1.5 MiB of data in 8 MiB
        assertThat(DomainXml.parse(libvirt.inactiveXml(name)).disks()).extracting(Disk::format).containsOnly("raw");
        assertThat(libvirt.domain(name).isActive()).isZero();
    }

    @Test
    void cloneRunsBesideTheRunningOriginal() throws Exception {
        vm.defineOriginal(libvirt);
        libvirt.domain(vm.name).create();
        String name = libvirt.name("clone");

        RestoreResult clone = restore.restore(RestoreRequest.of(vm.restorePoint, target).withMode(RestoreMode.CLONE)
                .withName(name).withStart(true), Progress.none());

        libvirt.awaitState(name, DomainState.VIR_DOMAIN_RUNNING);
        libvirt.awaitState(vm.name, DomainState.VIR_DOMAIN_RUNNING);
        DomainXml original = DomainXml.parse(libvirt.inactiveXml(vm.name));
        DomainXml copy = DomainXml.parse(libvirt.inactiveXml(name));
        assertThat(copy.uuid()).isEqualTo(clone.uuid()).isNotEqualTo(original.uuid());
        assertThat(copy.macs()).doesNotContainAnyElementsOf(original.macs());
        assertThat(copy.disks()).extracting(Disk::path)
                .doesNotContainAnyElementsOf(original.disks().stream().map(Disk::path).toList());
        assertThat(TestImages.sameContent(vm.originalDisk("vda"), "qcow2", clone.diskFiles().get("vda"), "qcow2")).isTrue();
    }

    @Test
    void cloneUnderTheOriginalsNameIsRefused() throws Exception {
        assertThatThrownBy(() -> restore.restore(RestoreRequest.of(vm.restorePoint, target).withMode(RestoreMode.CLONE)
                .withName(vm.name), Progress.none()))
                .isInstanceOf(RestoreException.class).hasMessageContaining("a clone needs a name other than");
        assertThat(listing(target)).isEmpty();
    }

    @Test
    void singleDiskWritesOnlyThatImageAndDefinesNothing() throws Exception {
        String name = libvirt.name("disk");
        RestoreResult result = restore.restore(RestoreRequest.of(vm.restorePoint, target).withName(name)
                .withDisks(List.of("vdb")).withFormat(DiskFormat.RAW), Progress.none());

        Path vdb = target.resolve(name + "-vdb.raw");
        assertThat(listing(target)).containsExactly(vdb.getFileName().toString());
        assertThat(TestImages.sameContent(vm.pristine("vdb"), "qcow2", vdb, "raw")).isTrue();
        assertThat(result.defined()).isFalse();
        assertThat(libvirt.exists(name)).isFalse();
    }

    @Test
    void overOriginalNeedsOverwriteAndAShutOffVm() throws Exception {
        vm.defineOriginal(libvirt);
        TestImages.write(vm.originalDisk("vda"), 0xee, 0, 2 * TestImages.MIB); // the guest changed its disk since
        String before = libvirt.inactiveXml(vm.name);
        RestoreRequest over = RestoreRequest.of(vm.restorePoint, null).withMode(RestoreMode.OVER_ORIGINAL);

        assertThatThrownBy(() -> restore.restore(over, Progress.none()))
                .isInstanceOf(RestoreException.class).hasMessageContaining("ask to overwrite")
                .extracting(e -> ((StoreException) e).kind()).isEqualTo(StoreException.Kind.CONFLICT);
        libvirt.domain(vm.name).create();
        assertThatThrownBy(() -> restore.restore(over.withOverwrite(true), Progress.none()))
                .isInstanceOf(RestoreException.class).hasMessageContaining("is running");
        assertThat(TestImages.sameContent(vm.pristine("vda"), "qcow2", vm.originalDisk("vda"), "qcow2")).isFalse();
        assertThat(listing(vm.dir)).noneMatch(f -> f.startsWith("."));

        libvirt.domain(vm.name).destroy();
        RestoreResult result = restore.restore(over.withOverwrite(true).withStart(true), Progress.none());

        assertThat(result.diskFiles()).containsEntry("vda", vm.originalDisk("vda"));
        assertThat(TestImages.sameContent(vm.pristine("vda"), "qcow2", vm.originalDisk("vda"), "qcow2")).isTrue();
        DomainXml after = DomainXml.parse(libvirt.inactiveXml(vm.name));
        DomainXml was = DomainXml.parse(before);
        assertThat(after.uuid()).isEqualTo(vm.uuid);
        assertThat(after.macs()).isEqualTo(was.macs());
        assertThat(after.disks()).extracting(Disk::path).isEqualTo(was.disks().stream().map(Disk::path).toList());
        libvirt.awaitState(vm.name, DomainState.VIR_DOMAIN_RUNNING);
        assertThat(listing(vm.dir)).noneMatch(f -> f.startsWith("."));
    }

    @Test
    void existingTargetFileOrVmNameIsRefusedUnlessOverwrite() throws Exception {
        String name = libvirt.name("exists");
        Path vda = target.resolve(name + "-vda.qcow2");
        Files.writeString(vda, "not a disk");
        RestoreRequest request = RestoreRequest.of(vm.restorePoint, target).withName(name);

        assertThatThrownBy(() -> restore.restore(request, Progress.none()))
                .isInstanceOf(RestoreException.class).hasMessageContaining(vda + " exists");
        assertThat(Files.readString(vda)).isEqualTo("not a disk");
        assertThat(listing(target)).containsExactly(vda.getFileName().toString());
        assertThat(libvirt.exists(name)).isFalse();

        vm.defineOriginal(libvirt);
        assertThatThrownBy(() -> restore.restore(RestoreRequest.of(vm.restorePoint, target), Progress.none()))
                .isInstanceOf(RestoreException.class).hasMessageContaining("a VM named " + vm.name + " already exists");
        assertThat(listing(target)).containsExactly(vda.getFileName().toString());

        restore.restore(request.withOverwrite(true), Progress.none());
        assertThat(TestImages.sameContent(vm.pristine("vda"), "qcow2", vda, "qcow2")).isTrue();
    }

    @Test
    void unknownRestorePointAndDiskAreNotFound() throws Exception {
        RestorePointId unknown = RestorePointId.parse(vm.name + "/20200101T000000.000Z");
        assertThatThrownBy(() -> restore.restore(RestoreRequest.of(unknown, target), Progress.none()))
                .isInstanceOf(StoreException.class).hasMessageContaining("no restore point " + unknown)
                .extracting(e -> ((StoreException) e).kind()).isEqualTo(StoreException.Kind.NOT_FOUND);
        assertThatThrownBy(() -> restore.restore(RestoreRequest.of(vm.restorePoint, target).withDisks(List.of("vdz")), Progress.none()))
                .isInstanceOf(RestoreException.class).hasMessageContaining("has no disk vdz; it has [vda, vdb]");
        assertThat(listing(target)).isEmpty();
    }

    @Test
    void networksAreMappedAndPoolsResolved() throws Exception {
        // A VM on a libvirt network: defined, not started (the test host has no such network).
        BackedUpVm onNetwork = BackedUpVm.create(libvirt.name("net"), Files.createDirectory(target.resolve("src")), NETWORK);
        String pool = libvirt.name("pool");
        Path poolDir = Files.createDirectory(target.resolve("pool"));
        libvirt.definePool(pool, poolDir);
        String name = libvirt.name("mapped");
        try (Store other = onNetwork.openStore()) {
            VmRestore r = new VmRestore(new RestoreSource(other));
            RestoreRequest request = RestoreRequest.of(onNetwork.restorePoint, null).withStoragePool(pool).withName(name);

            assertThatThrownBy(() -> r.restore(request.withNetworks(NetworkMapping.parse(List.of("lbtest-net-x=b"))), Progress.none()))
                    .isInstanceOf(RestoreException.class).hasMessageContaining("no interface on network lbtest-net-x; its networks: lbtest-net-a");
            assertThat(libvirt.exists(name)).isFalse();

            RestoreResult result = r.restore(request.withNetworks(NetworkMapping.parse(List.of("lbtest-net-a=lbtest-net-b"))), Progress.none());
            assertThat(result.diskFiles().values()).allMatch(p -> p.getParent().equals(poolDir));
            DomainXml defined = DomainXml.parse(libvirt.inactiveXml(name));
            assertThat(defined.networks()).containsExactly("lbtest-net-b");
            assertThat(defined.macs()).hasSize(2).doesNotContain(onNetwork.mac, "52:54:00:aa:00:02");
            assertThat(libvirt.connect().storagePoolLookupByName(pool).listVolumes())
                    .containsExactlyInAnyOrder(name + "-vda.qcow2", name + "-vdb.qcow2");
        }
    }

    @Test
    void missingChunksAreRefusedBeforeAnythingIsWritten() throws Exception {
        BackedUpVm damaged = BackedUpVm.create(libvirt.name("damaged"), Files.createDirectory(target.resolve("src")));
        Path out = Files.createDirectory(target.resolve("out"));
        try (Stream<Path> packs = Files.walk(damaged.store().resolve("packs"))) {
            for (Path pack : packs.filter(p -> p.toString().endsWith(".pack")).toList()) {
                Files.delete(pack); // as if the pack had been lost
            }
        }
        String name = libvirt.name("incomplete");
        try (Store other = damaged.openStore()) {
            VmRestore r = new VmRestore(new RestoreSource(other));
            assertThatThrownBy(() -> r.restore(RestoreRequest.of(damaged.restorePoint, out).withName(name).withStart(true), Progress.none()))
                    .isInstanceOf(RestoreException.class)
                    .hasMessageMatching("restore point .* cannot be restored: \\d+ chunk\\(s\\) are missing from the store "
                            + "\\(vda: \\d+, vdb: \\d+\\), first [0-9a-f]{64}, .*; nothing was written")
                    .extracting(e -> ((StoreException) e).kind()).isEqualTo(StoreException.Kind.NOT_FOUND);
        }
        assertThat(listing(out)).isEmpty();
        assertThat(libvirt.exists(name)).isFalse();
    }

    @Test
    void aFailureWhileWritingLeavesTheOriginalAsItWas() throws Exception {
        BackedUpVm damaged = BackedUpVm.create(libvirt.name("torn"), Files.createDirectory(target.resolve("src")));
        damaged.defineOriginal(libvirt);
        TestImages.write(damaged.originalDisk("vda"), 0xee, 0, TestImages.MIB);
        try (Stream<Path> packs = Files.walk(damaged.store().resolve("packs"))) {
            for (Path pack : packs.filter(p -> p.toString().endsWith(".pack")).toList()) {
                // Present (the preflight passes) but unreadable: the restore fails while writing.
                try (var ch = java.nio.channels.FileChannel.open(pack, java.nio.file.StandardOpenOption.WRITE)) {
                    ch.truncate(ch.size() / 2);
                }
            }
        }
        try (Store other = damaged.openStore()) {
            VmRestore r = new VmRestore(new RestoreSource(other));
            assertThatThrownBy(() -> r.restore(RestoreRequest.of(damaged.restorePoint, null)
                    .withMode(RestoreMode.OVER_ORIGINAL).withOverwrite(true), Progress.none()))
                    .isInstanceOf(StoreException.class).hasMessageNotContaining("nothing was written")
                    .extracting(e -> ((StoreException) e).kind()).isEqualTo(StoreException.Kind.CORRUPT);
        }
        assertThat(TestImages.holds(damaged.originalDisk("vda"), 0xee, 0, TestImages.MIB)).isTrue();
        assertThat(TestImages.sameContent(damaged.pristine("vdb"), "qcow2", damaged.originalDisk("vdb"), "qcow2")).isTrue();
        assertThat(listing(damaged.dir)).noneMatch(f -> f.startsWith("."));
    }

    static List<String> listing(Path dir) throws java.io.IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }
}
