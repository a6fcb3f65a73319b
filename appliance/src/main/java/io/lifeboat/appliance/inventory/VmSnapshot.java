package io.lifeboat.appliance.inventory;

import java.time.Instant;

/**
 * A libvirt snapshot of a VM.
 *
 * @param vmState  the state the VM was in when the snapshot was taken; reverting returns it there
 *                 (a RUNNING snapshot carries the memory image too)
 * @param parent   the snapshot this one was taken after, or {@code null} for a root
 * @param current  true for libvirt's current snapshot (the one the VM last was at)
 */
public record VmSnapshot(String name, String description, Instant createdAt, VmState vmState,
                         Kind kind, String parent, boolean current) {

    /** Where the snapshot data lives. Lifeboat creates INTERNAL ones; EXTERNAL ones may exist from elsewhere. */
    public enum Kind {
        /** Inside the qcow2 images (and, for a running VM, the memory in the first image). */
        INTERNAL,
        /** In separate overlay files; libvirt 9.0 can create and partly delete them, not revert. */
        EXTERNAL
    }
}
