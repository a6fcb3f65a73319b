package io.lifeboat.appliance.inventory;

import io.lifeboat.kvm.KvmException;
import io.lifeboat.kvm.libvirt.LibvirtConnection;
import org.libvirt.Error;
import org.libvirt.LibvirtException;

/**
 * Something the inventory cannot do, with a {@link Kind} that tells the caller whose fault it is
 * (the REST layer maps kinds to status codes, the CLI to exit codes) and a one-line message fit
 * to show a user as it is.
 */
public class InventoryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Closed set of failure kinds; the message carries the details. */
    public enum Kind {
        /** The host, VM or snapshot named does not exist (404). */
        NOT_FOUND,
        /** The request itself is wrong: malformed XML, an invalid name or tag, a non-qemu domain (400). */
        BAD_INPUT,
        /** The request clashes with the current state: name taken, VM running or stopped (409). */
        CONFLICT,
        /** libvirt here cannot do it, e.g. revert to an external snapshot on libvirt 9.0 (501/422). */
        UNSUPPORTED,
        /** The libvirt URI does not answer, or the connection broke (503). */
        UNREACHABLE,
        /** The operation was requested but did not complete in time, e.g. an ignored ACPI shutdown (504). */
        TIMEOUT,
        /** libvirt or a disk tool failed for another reason (500). */
        FAILED
    }

    private final Kind kind;

    public InventoryException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public InventoryException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** Classifies a libvirt error; {@code what} says what was being done, e.g. "start VM web01 on qemu:///system". */
    static InventoryException from(LibvirtException e, String what) {
        Error.ErrorNumber code = e.getError() == null ? Error.ErrorNumber.VIR_ERR_UNKNOWN : e.getError().getCode();
        return new InventoryException(kindOf(code), "Cannot " + what + ": " + detail(e), e);
    }

    /** A failure of libvirt or a QEMU tool, with its message as it is. */
    static InventoryException from(KvmException e) {
        Kind kind = switch (e.kind()) {
            case UNREACHABLE -> Kind.UNREACHABLE;
            case TIMEOUT -> Kind.TIMEOUT;
            case NO_SPACE, FAILED -> Kind.FAILED;
        };
        return new InventoryException(kind, e.getMessage(), e);
    }

    /** libvirt's own one-line message, without the Java wrapping. */
    static String detail(LibvirtException e) {
        return LibvirtConnection.detail(e);
    }

    /** True if libvirt reported this error code. */
    static boolean hasCode(LibvirtException e, Error.ErrorNumber code) {
        return LibvirtConnection.hasCode(e, code);
    }

    static Kind kindOf(Error.ErrorNumber code) {
        return switch (code) {
            case VIR_ERR_NO_DOMAIN, VIR_ERR_NO_DOMAIN_SNAPSHOT, VIR_ERR_NO_DOMAIN_CHECKPOINT -> Kind.NOT_FOUND;
            case VIR_ERR_XML_ERROR, VIR_ERR_XML_DETAIL, VIR_ERR_XML_INVALID_SCHEMA, VIR_ERR_INVALID_ARG,
                    VIR_ERR_INVALID_MAC, VIR_ERR_NO_NAME, VIR_ERR_OS_TYPE -> Kind.BAD_INPUT;
            case VIR_ERR_DOM_EXIST, VIR_ERR_OPERATION_INVALID, VIR_ERR_RESOURCE_BUSY -> Kind.CONFLICT;
            case VIR_ERR_CONFIG_UNSUPPORTED, VIR_ERR_OPERATION_UNSUPPORTED, VIR_ERR_NO_SUPPORT,
                    VIR_ERR_ARGUMENT_UNSUPPORTED -> Kind.UNSUPPORTED;
            case VIR_ERR_NO_CONNECT, VIR_ERR_INVALID_CONN, VIR_ERR_RPC, VIR_ERR_SYSTEM_ERROR, VIR_ERR_AUTH_FAILED,
                    VIR_ERR_AUTH_CANCELLED, VIR_ERR_AUTH_UNAVAILABLE, VIR_ERR_UNKNOWN_HOST, VIR_ERR_NO_SERVER,
                    VIR_ERR_SSH, VIR_ERR_LIBSSH, VIR_ERR_GNUTLS_ERROR -> Kind.UNREACHABLE;
            case VIR_ERR_OPERATION_TIMEOUT -> Kind.TIMEOUT;
            default -> Kind.FAILED;
        };
    }

    static InventoryException notFound(String message) {
        return new InventoryException(Kind.NOT_FOUND, message);
    }

    static InventoryException badInput(String message) {
        return new InventoryException(Kind.BAD_INPUT, message);
    }

    static InventoryException conflict(String message) {
        return new InventoryException(Kind.CONFLICT, message);
    }
}
