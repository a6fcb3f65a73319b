package io.lifeboat.appliance.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.lifeboat.appliance.inventory.InventoryException.Kind;

/** Inventory code against libvirt's in-process test driver: fast, no daemon, no disks. */
class TestDriverInventoryTest {

    private static final String TEST = "test:///default";

    private final LibvirtHosts hosts = new LibvirtHosts(List.of(TEST), Duration.ofSeconds(5));
    private final Inventory inventory = new Inventory(hosts);

    @AfterEach
    void close() {
        hosts.close();
    }

    @Test
    void listsTheTestDomainWithoutDisks() {
        List<Vm> vms = inventory.list(TEST);

        assertThat(vms).extracting(Vm::name).containsExactly("test");
        Vm test = vms.get(0);
        assertThat(test.host()).isEqualTo(TEST);
        assertThat(test.state()).isEqualTo(VmState.RUNNING);
        assertThat(test.vcpus()).isPositive();
        assertThat(test.memoryBytes()).isPositive().isEqualTo(test.memoryBytes() / 1024 * 1024);
        assertThat(test.tags()).isEmpty();
        assertThat(inventory.get(TEST, "test")).isEqualTo(test);
    }

    @Test
    void tagsRoundTripThroughMetadata() {
        assertThat(inventory.setTags(TEST, "test", Set.of("web", "prod"))).containsExactly("prod", "web");
        assertThat(inventory.tags(TEST, "test")).containsExactly("prod", "web");
        assertThat(inventory.get(TEST, "test").tags()).containsExactly("prod", "web");

        assertThat(inventory.setTags(TEST, "test", Set.of())).isEmpty();
        assertThat(inventory.tags(TEST, "test")).isEmpty();
    }

    @Test
    void unknownVmAndUnknownHostAreNotFound() {
        assertThatThrownBy(() -> inventory.get(TEST, "nope"))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND))
                .hasMessage("No VM named 'nope' on test:///default");
        assertThatThrownBy(() -> inventory.list("qemu+ssh://elsewhere/system"))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND));
    }
}
