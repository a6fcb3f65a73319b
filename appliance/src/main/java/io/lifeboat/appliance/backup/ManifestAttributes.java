package io.lifeboat.appliance.backup;

/**
 * The keys the backup engine records in a restore point's manifest attributes. The checkpoint
 * attribute is what keeps libvirt's checkpoint chain in step with the store: the next backup of
 * the VM is incremental from the newest restore point that names a checkpoint libvirt still has.
 */
public final class ManifestAttributes {
    /** Name of the libvirt checkpoint created with this restore point. */
    public static final String CHECKPOINT = "checkpoint";
    /** For an incremental: the checkpoint whose changes were read. */
    public static final String INCREMENTAL_FROM = "incrementalFrom";
    /** For a full backup: why it was not incremental. */
    public static final String FULL_REASON = "fullReason";
    /** "frozen", or why the guest's file systems were not frozen. */
    public static final String QUIESCE = "quiesce";
    /** When frozen: milliseconds the freeze command took (the guest's fsfreeze hooks, then the freeze). */
    public static final String QUIESCE_MILLIS = "quiesceMillis";
    /** When frozen: milliseconds the file systems stayed frozen, from the freeze's answer to the thaw's. */
    public static final String FROZEN_MILLIS = "frozenMillis";
    /** "libvirt-pull" (running VM) or "image-file" (stopped VM). */
    public static final String SOURCE = "source";
    /** The engine's job id, also the name of its run directory. */
    public static final String JOB = "job";
    /** Prefix of per-disk counters: {@code bytesRead.vda}. */
    public static final String BYTES_READ_PREFIX = "bytesRead.";

    private ManifestAttributes() {
    }
}
