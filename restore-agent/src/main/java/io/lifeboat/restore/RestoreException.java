package io.lifeboat.restore;

import io.lifeboat.kvm.KvmException;
import io.lifeboat.store.StoreException;

/**
 * A restore the agent refuses or cannot finish, with one message for the user. It is a
 * {@link StoreException} so that the kinds (bad input, not found, conflict, ...) map to the same
 * exit codes and HTTP statuses as the store's own errors.
 */
public class RestoreException extends StoreException {

    public RestoreException(Kind kind, String message) {
        super(kind, message);
    }

    public RestoreException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }

    public static RestoreException badInput(String message) {
        return new RestoreException(Kind.BAD_INPUT, message);
    }

    public static RestoreException conflict(String message) {
        return new RestoreException(Kind.CONFLICT, message);
    }

    public static RestoreException notFound(String message) {
        return new RestoreException(Kind.NOT_FOUND, message);
    }

    /** A failure of libvirt or a QEMU tool, as a restore reports it: a full disk stays NO_SPACE. */
    public static RestoreException from(KvmException e) {
        return new RestoreException(e.kind() == KvmException.Kind.NO_SPACE ? Kind.NO_SPACE : Kind.IO, e.getMessage(), e);
    }
}
