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
 * @param title       the domain's {@code <title>} (libvirt's one-line label), or null
 * @param description the domain's {@code <description>}, or null
 */
public record Vm(String host, String name, UUID uuid, VmState state, int vcpus, long memoryBytes,
                 List<Disk> disks, SortedSet<String> tags, String title, String description) {

    public Vm {
        disks = List.copyOf(disks);
        tags = Collections.unmodifiableSortedSet(new TreeSet<>(tags));
    }
}
