package io.lifeboat.appliance.inventory;

import static io.lifeboat.appliance.inventory.TestVms.MIB;
import static io.lifeboat.appliance.inventory.TestVms.URI;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.lifeboat.appliance.inventory.InventoryException.Kind;

/** Internal snapshots under TCG on the real libvirtd, of a stopped and of a running VM. */
class VmSnapshotsTest {

    @TempDir
    Path dir;

    private final TestVms vms = new TestVms();
    private final VmLifecycle lifecycle = new VmLifecycle(vms.hosts());
    private final VmSnapshots snapshots = new VmSnapshots(vms.hosts());

    @AfterEach
    void removeVms() {
        vms.close();
    }

    @Test
    void snapshotOfStoppedVmRestoresDiskContent() {
        Path disk = TestVms.qcow2(dir, "a.qcow2", 64 * MIB);
        TestVms.write(disk, 0xab, 0, MIB);
        String name = vms.name("snap");
        lifecycle.define(URI, TestVms.domainXml(name, List.of(disk), false));

        VmSnapshot s1 = snapshots.create(URI, name, "s1", "before the change");
        assertThat(s1.name()).isEqualTo("s1");
        assertThat(s1.description()).isEqualTo("before the change");
        assertThat(s1.vmState()).isEqualTo(VmState.SHUT_OFF);
        assertThat(s1.kind()).isEqualTo(VmSnapshot.Kind.INTERNAL);
        assertThat(s1.current()).isTrue();

        TestVms.write(disk, 0xcd, 0, MIB);
        snapshots.create(URI, name, "s2", null);
        assertThat(snapshots.list(URI, name)).extracting(VmSnapshot::name, VmSnapshot::parent, VmSnapshot::current)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("s1", null, false),
                        org.assertj.core.groups.Tuple.tuple("s2", "s1", true));
        assertThat(TestVms.holds(disk, 0xcd, 0, MIB)).isTrue();

        assertThat(snapshots.revert(URI, name, "s1")).isEqualTo(VmState.SHUT_OFF);
        assertThat(TestVms.holds(disk, 0xab, 0, MIB)).isTrue();

        snapshots.delete(URI, name, "s2");
        snapshots.delete(URI, name, "s1");
        assertThat(snapshots.list(URI, name)).isEmpty();
        assertThat(TestVms.run("qemu-img", "snapshot", "-l", disk.toString())).doesNotContain("s1", "s2");
    }

    @Test
    void snapshotOfRunningVmRevertsDiskAndStaysRunning() {
        Path disk = TestVms.qcow2(dir, "a.qcow2", 64 * MIB);
        TestVms.write(disk, 0xab, 0, MIB);
        String name = vms.name("live");
        lifecycle.define(URI, TestVms.domainXml(name, List.of(disk), false));
        lifecycle.start(URI, name);

        VmSnapshot live = snapshots.create(URI, name, "live", null);
        assertThat(live.vmState()).isEqualTo(VmState.RUNNING);
        assertThat(lifecycle.state(URI, name)).isEqualTo(VmState.RUNNING);

        // A guest write, through QEMU's monitor (there is no OS to write for us).
        String wrote = vms.hosts().withDomain(URI, name, "write", d -> d.qemuMonitorCommand(
                "qemu-io -d /machine/peripheral/ua-vda/virtio-backend \"write -P 0xcd 0 1M\"", 1));
        assertThat(wrote).as("the monitor's answer (nothing when the write worked)").isBlank();

        assertThat(snapshots.revert(URI, name, "live")).isEqualTo(VmState.RUNNING);
        lifecycle.forceOff(URI, name);
        assertThat(TestVms.holds(disk, 0xab, 0, MIB)).isTrue();
    }

    @Test
    void badRequestsAreClear() {
        String name = vms.name("snapbad");
        lifecycle.define(URI, TestVms.domainXml(name, List.of(TestVms.qcow2(dir, "a.qcow2", 16 * MIB)), false));
        snapshots.create(URI, name, "s1", null);

        assertThatThrownBy(() -> snapshots.create(URI, name, "s1", null))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFLICT));
        assertThatThrownBy(() -> snapshots.revert(URI, name, "nope"))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND))
                .hasMessage("VM " + name + " has no snapshot named 'nope'");
        assertThatThrownBy(() -> snapshots.create(URI, name, "../evil", null))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT));
        assertThatThrownBy(() -> snapshots.list(URI, "lbtest-no-such-vm"))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND));
    }
}
