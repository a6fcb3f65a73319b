package io.lifeboat.restore;

/** What a restore does with the VM it rebuilds. See docs/restore.md. */
public enum RestoreMode {
    /**
     * A VM defined from the restore point, by default under the original's name (the disaster
     * case: the original is gone, or this is another host). New UUID and MAC addresses.
     */
    NEW_VM,
    /**
     * A second VM that runs beside the original: a name other than the original's (by default
     * {@code <vm>-clone}), new UUID, new MAC addresses, its own disk files.
     */
    CLONE,
    /**
     * Puts the restore point back into the original VM: its disk files and definition are
     * replaced; name, UUID and MAC addresses are kept. Only with overwrite, and only while the VM
     * is shut off.
     */
    OVER_ORIGINAL
}
