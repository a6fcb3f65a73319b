package io.lifeboat.appliance.backup;

/**
 * A backup that could not be started or did not produce a restore point: one clear message, and
 * a kind the API maps to a status (BAD_INPUT, NOT_FOUND, CONFLICT → 4xx; CANCELLED; FAILED → 5xx).
 */
public class BackupException extends Exception {
    public enum Kind {
        /** The request is malformed, or the VM cannot be backed up as defined (no disks). */
        BAD_INPUT,
        /** No such VM. */
        NOT_FOUND,
        /** A backup of this VM is already running. */
        CONFLICT,
        /** {@link BackupJob#cancel()} was called before the restore point was committed. */
        CANCELLED,
        /** libvirt, QEMU, NBD or the store failed. */
        FAILED
    }

    private final Kind kind;

    public BackupException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public BackupException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
