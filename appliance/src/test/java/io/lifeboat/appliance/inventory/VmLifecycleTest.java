package io.lifeboat.appliance.inventory;

import static io.lifeboat.appliance.inventory.TestVms.MIB;
import static io.lifeboat.appliance.inventory.TestVms.URI;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.lifeboat.appliance.inventory.InventoryException.Kind;

/** Define, start, stop and delete on the real libvirtd. */
class VmLifecycleTest {

    @TempDir
    Path dir;

    private final TestVms vms = new TestVms();
    private final Inventory inventory = new Inventory(vms.hosts());
    private final VmLifecycle lifecycle = new VmLifecycle(vms.hosts());

    @AfterEach
    void removeVms() {
        vms.close();
    }

    @Test
    void defineStartForceOffDelete() {
        Path disk = TestVms.qcow2(dir, "a.qcow2", 16 * MIB);
        String name = vms.name("life");

        Vm defined = lifecycle.define(URI, TestVms.domainXml(name, List.of(disk), true));
        assertThat(defined.name()).isEqualTo(name);
        assertThat(defined.state()).isEqualTo(VmState.SHUT_OFF);

        assertThat(lifecycle.start(URI, name)).isEqualTo(VmState.RUNNING);
        assertThatThrownBy(() -> lifecycle.start(URI, name))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFLICT));
        assertThatThrownBy(() -> lifecycle.delete(URI, name, true))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFLICT));

        assertThat(lifecycle.forceOff(URI, name)).isEqualTo(VmState.SHUT_OFF);
        assertThat(lifecycle.delete(URI, name, false)).isEmpty();
        assertThat(disk).exists();
        assertThatThrownBy(() -> inventory.get(URI, name))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND));
    }

    @Test
    void deleteRemovesSnapshotMetadataAndDisksWhenAsked() {
        Path disk = TestVms.qcow2(dir, "a.qcow2", 16 * MIB);
        String name = vms.name("del");
        lifecycle.define(URI, TestVms.domainXml(name, List.of(disk), false));
        new VmSnapshots(vms.hosts()).create(URI, name, "s1", null);

        assertThat(lifecycle.delete(URI, name, true)).containsExactly(disk);

        assertThat(disk).doesNotExist();
        assertThat(inventory.list(URI)).noneMatch(vm -> vm.name().equals(name));
    }

    @Test
    void acpiShutdownOfAGuestWithoutOsTimesOut() {
        String name = vms.name("acpi");
        lifecycle.define(URI, TestVms.domainXml(name, List.of(), false));
        lifecycle.start(URI, name);

        assertThatThrownBy(() -> lifecycle.shutdown(URI, name, Duration.ofSeconds(2)))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TIMEOUT))
                .hasMessageContaining("force it off");
        assertThat(lifecycle.state(URI, name)).isEqualTo(VmState.RUNNING);
    }

    @Test
    void malformedXmlDefinesNothing() {
        String name = vms.name("bad");
        String broken = TestVms.domainXml(name, List.of(), false).replace("</devices>", "");

        assertThatThrownBy(() -> lifecycle.define(URI, broken))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT))
                .hasMessageContaining("not well-formed");
        assertThat(inventory.list(URI)).noneMatch(vm -> vm.name().equals(name));
    }

    @Test
    void nonQemuTypeAndLibvirtRejectedXmlAreBadInput() {
        String name = vms.name("kvm");
        assertThatThrownBy(() -> lifecycle.define(URI,
                TestVms.domainXml(name, List.of(), false).replace("type='qemu'", "type='kvm'")))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT));
        // Well-formed, but libvirt's own parser refuses it.
        assertThatThrownBy(() -> lifecycle.define(URI,
                TestVms.domainXml(name, List.of(), false).replace("<vcpu>1</vcpu>", "<vcpu>many</vcpu>")))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT));
        assertThat(inventory.list(URI)).noneMatch(vm -> vm.name().equals(name));
    }

    @Test
    void existingNameIsConflict() {
        String name = vms.name("dup");
        lifecycle.define(URI, TestVms.domainXml(name, List.of(), false));

        assertThatThrownBy(() -> lifecycle.define(URI, TestVms.domainXml(name, List.of(), false)))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFLICT))
                .hasMessageContaining("already exists");
    }

    @Test
    void unknownVmIsNotFound() {
        assertThatThrownBy(() -> lifecycle.start(URI, "lbtest-no-such-vm"))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND));
    }
}
