package io.lifeboat.appliance.inventory;

import io.lifeboat.kvm.domain.Disk;
import static io.lifeboat.appliance.inventory.TestVms.MIB;
import static io.lifeboat.appliance.inventory.TestVms.URI;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.lifeboat.appliance.inventory.InventoryException.Kind;

/** Listing and tagging VMs on the real libvirtd. */
class InventoryLibvirtTest {

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
    void listsDisksWithVirtualAndAllocatedSizes() throws java.io.IOException {
        Path vda = TestVms.qcow2(dir, "vda.qcow2", 64 * MIB);
        TestVms.write(vda, 0xab, 0, MIB);
        Path vdb = TestVms.qcow2(dir, "vdb.qcow2", 32 * MIB);
        String name = vms.name("list");
        lifecycle.define(URI, TestVms.domainXml(name, List.of(vda, vdb), true));

        Vm vm = inventory.list(URI).stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();

        assertThat(vm.state()).isEqualTo(VmState.SHUT_OFF);
        assertThat(vm.vcpus()).isEqualTo(1);
        assertThat(vm.memoryBytes()).isEqualTo(64 * MIB);
        assertThat(vm.disks()).extracting(Disk::target, Disk::format, Disk::path, Disk::virtualSize)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("vda", "qcow2", vda.toString(), 64 * MIB),
                        org.assertj.core.groups.Tuple.tuple("vdb", "qcow2", vdb.toString(), 32 * MIB));
        Disk written = vm.disks().get(0);
        assertThat(written.sizeKnown()).isTrue();
        assertThat(written.allocatedSize()).isGreaterThanOrEqualTo(MIB).isLessThan(written.virtualSize());
        assertThat(vm.disks().get(1).allocatedSize()).isLessThan(MIB);
        assertThat(written.allocatedSize()).isLessThanOrEqualTo(Files.size(vda) + MIB);
    }

    @Test
    void vmWithoutDisksIsListed() {
        String name = vms.name("nodisk");
        lifecycle.define(URI, TestVms.domainXml(name, List.of(), false));

        assertThat(inventory.list(URI)).filteredOn(vm -> vm.name().equals(name)).singleElement()
                .satisfies(vm -> {
                    assertThat(vm.disks()).isEmpty();
                    assertThat(vm.uuid()).isNotNull();
                });
    }

    @Test
    void tagsRoundTripOnStoppedAndRunningVm() {
        String name = vms.name("tags");
        lifecycle.define(URI, TestVms.domainXml(name, List.of(TestVms.qcow2(dir, "t.qcow2", 16 * MIB)), false));

        assertThat(inventory.tags(URI, name)).isEmpty();
        assertThat(inventory.setTags(URI, name, Set.of("web", "prod"))).containsExactly("prod", "web");
        assertThat(inventory.get(URI, name).tags()).containsExactly("prod", "web");
        // The stored form is the documented one (libvirt puts the children in our namespace too).
        String xml = vms.hosts().withDomain(URI, name, "dump", d -> d.getXMLDesc(0));
        assertThat(xml).contains("<lifeboat:tags xmlns:lifeboat=\"https://lifeboat.io/xmlns/appliance/1\">")
                .contains("<lifeboat:tag>prod</lifeboat:tag>");

        lifecycle.start(URI, name);
        assertThat(inventory.setTags(URI, name, Set.of("db"))).containsExactly("db");
        lifecycle.forceOff(URI, name);
        assertThat(inventory.tags(URI, name)).as("persistent config got the change too").containsExactly("db");
    }

    @Test
    void unknownVmIsNotFound() {
        assertThatThrownBy(() -> inventory.setTags(URI, "lbtest-does-not-exist", Set.of("x")))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND))
                .hasMessage("No VM named 'lbtest-does-not-exist' on qemu:///system");
    }
}
