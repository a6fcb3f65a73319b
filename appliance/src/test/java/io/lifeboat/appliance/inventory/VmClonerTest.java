package io.lifeboat.appliance.inventory;

import io.lifeboat.kvm.domain.Disk;
import io.lifeboat.kvm.domain.DomainXml;

import static io.lifeboat.appliance.inventory.TestVms.MIB;
import static io.lifeboat.appliance.inventory.TestVms.URI;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.lifeboat.appliance.inventory.InventoryException.Kind;

/** Cloning on the real libvirtd: the clone runs beside the original. */
class VmClonerTest {

    @TempDir
    Path dir;

    private final TestVms vms = new TestVms();
    private final Inventory inventory = new Inventory(vms.hosts());
    private final VmLifecycle lifecycle = new VmLifecycle(vms.hosts());
    private final VmCloner cloner = new VmCloner(vms.hosts());

    @AfterEach
    void removeVms() {
        vms.close();
    }

    @Test
    void cloneRunsBesideTheOriginal() {
        Path vda = TestVms.qcow2(dir, "orig-vda.qcow2", 64 * MIB);
        TestVms.write(vda, 0xab, 0, MIB);
        Path vdb = TestVms.qcow2(dir, "orig-vdb.qcow2", 16 * MIB);
        String original = vms.name("orig");
        String copy = vms.name("clone");
        lifecycle.define(URI, TestVms.domainXml(original, List.of(vda, vdb), true));
        inventory.setTags(URI, original, Set.of("web"));
        new VmSnapshots(vms.hosts()).create(URI, original, "s1", null);

        Vm clone = cloner.clone(URI, original, copy, null);

        Vm source = inventory.get(URI, original);
        assertThat(clone.name()).isEqualTo(copy);
        assertThat(clone.uuid()).isNotEqualTo(source.uuid());
        assertThat(clone.tags()).containsExactly("web");
        assertThat(clone.disks()).extracting(Disk::path)
                .containsExactly(dir.resolve(copy + "-vda.qcow2").toString(), dir.resolve(copy + "-vdb.qcow2").toString());
        assertThat(clone.disks()).extracting(Disk::virtualSize).containsExactly(64 * MIB, 16 * MIB);
        assertThat(TestVms.holds(Path.of(clone.disks().get(0).path()), 0xab, 0, MIB)).isTrue();
        assertThat(TestVms.run("qemu-img", "snapshot", "-l", clone.disks().get(0).path())).doesNotContain("s1");
        assertThat(new VmSnapshots(vms.hosts()).list(URI, copy)).isEmpty();
        List<String> sourceMacs = macs(original);
        List<String> cloneMacs = macs(copy);
        assertThat(cloneMacs).hasSize(1).doesNotContainAnyElementsOf(sourceMacs);

        lifecycle.start(URI, original);
        lifecycle.start(URI, copy);
        assertThat(inventory.get(URI, original).state()).isEqualTo(VmState.RUNNING);
        assertThat(inventory.get(URI, copy).state()).isEqualTo(VmState.RUNNING);
    }

    @Test
    void refusesTakenNamesAndRunningSources() {
        Path disk = TestVms.qcow2(dir, "a.qcow2", 16 * MIB);
        String original = vms.name("orig");
        String other = vms.name("other");
        String copy = vms.name("clone");
        lifecycle.define(URI, TestVms.domainXml(original, List.of(disk), true));
        lifecycle.define(URI, TestVms.domainXml(other, List.of(), false));

        assertThatThrownBy(() -> cloner.clone(URI, original, other, null))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFLICT))
                .hasMessageContaining("already exists");
        lifecycle.start(URI, original);
        assertThatThrownBy(() -> cloner.clone(URI, original, copy, null))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFLICT))
                .hasMessageContaining("must be shut off");
        assertThatThrownBy(() -> cloner.clone(URI, "lbtest-no-such-vm", copy, null))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND));
        assertThat(dir.resolve(copy + "-vda.qcow2")).doesNotExist();
    }

    private List<String> macs(String vm) {
        return DomainXml.parse(vms.hosts().withDomain(URI, vm, "dump", d -> d.getXMLDesc(0))).macs();
    }
}
