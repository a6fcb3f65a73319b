package io.lifeboat.kvm;

import java.io.IOException;

/**
 * Something the hypervisor or its tools could not do: a libvirt host that does not answer, a
 * qemu-img run that failed or ran out of time, a block job that ended early. The message is
 * meant for the user as it is; {@link Kind} lets each caller map it to its own error kinds.
 */
public class KvmException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Closed set of failure kinds; the message carries the details. */
    public enum Kind {
        /** The libvirt host did not answer, or the connection broke. */
        UNREACHABLE,
        /** A tool or job did not finish within its time limit. */
        TIMEOUT,
        /** The file system the output goes to is full. */
        NO_SPACE,
        /** Any other failure of libvirt, QEMU or a QEMU tool (an interrupt included). */
        FAILED
    }

    private final Kind kind;

    public KvmException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public KvmException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
