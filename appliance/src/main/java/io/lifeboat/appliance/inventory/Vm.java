package io.lifeboat.appliance.inventory;

import io.lifeboat.kvm.domain.Disk;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;

/**
 * A VM as the inventory lists it.
 *
 * @param host        the libvirt URI it lives on
 * @param memoryBytes the configured (maximum) memory
 * @param tags        Lifeboat tags, see {@link VmTags}
 */
public record Vm(String host, String name, UUID uuid, VmState state, int vcpus, long memoryBytes,
                 List<Disk> disks, SortedSet<String> tags) {

    public Vm {
        disks = List.copyOf(disks);
        tags = Collections.unmodifiableSortedSet(new TreeSet<>(tags));
    }
}
