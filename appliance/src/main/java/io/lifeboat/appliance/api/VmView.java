package io.lifeboat.appliance.api;

import java.util.List;
import java.util.SortedSet;
import java.util.UUID;

import io.lifeboat.appliance.inventory.Vm;
import io.lifeboat.appliance.inventory.VmState;

/**
 * A VM as the API shows it. Disks whose image libvirt cannot read (missing file, empty cdrom)
 * show sizes of 0; {@code title} and {@code description} are the domain's own, null when it has none.
 */
public record VmView(String host, String name, UUID uuid, VmState state, int vcpus, long memoryBytes,
                     List<Disk> disks, SortedSet<String> tags, String title, String description) {

    /** One disk; {@code path} is null for network disks and empty drives. */
    public record Disk(String target, String device, String format, long virtualSize, long allocatedSize, String path) {
    }

    static VmView of(Vm vm) {
        List<Disk> disks = vm.disks().stream()
                .map(d -> new Disk(d.target(), d.device(), d.format(), d.virtualSize(), d.allocatedSize(), d.path()))
                .toList();
        return new VmView(vm.host(), vm.name(), vm.uuid(), vm.state(), vm.vcpus(), vm.memoryBytes(), disks, vm.tags(),
                vm.title(), vm.description());
    }
}
