package io.lifeboat.restore.instant;

/** Why an instant recovery was refused or failed, in words for the user, with what kind of problem it is. */
public class InstantRecoveryException extends Exception {
    public enum Kind {
        /** The request cannot be carried out as given (a name or file that exists, a bad option). */
        BAD_INPUT,
        /** A VM or file of that name exists already. */
        CONFLICT,
        /** The restore point, a chunk it needs, or the session is not there. */
        NOT_FOUND,
        /** libvirt, QEMU or the disk failed along the way. */
        FAILED
    }

    private final Kind kind;

    public InstantRecoveryException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public InstantRecoveryException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
