package io.lifeboat.nbd;

import java.io.IOException;

/**
 * The server understood a request and refused it with an error: an error reply to an option
 * during the handshake (for example {@code NBD_REP_ERR_UNKNOWN} to {@code NBD_OPT_GO} for an
 * unknown export) or an error to a command (for example {@code EIO} to {@code NBD_CMD_READ}).
 * Unlike {@link NbdProtocolException}, after a command error the connection stays usable.
 */
public final class NbdServerException extends IOException {

    private final String request;
    private final String error;

    NbdServerException(String request, String error, String detail) {
        super(request + " failed: " + error + (detail.isEmpty() ? "" : " (" + detail + ")"));
        this.request = request;
        this.error = error;
    }

    /** The option or command that failed, e.g. {@code NBD_OPT_GO} or {@code NBD_CMD_READ}. */
    public String request() {
        return request;
    }

    /** The error the server sent, e.g. {@code NBD_REP_ERR_UNKNOWN} or {@code EIO}. */
    public String error() {
        return error;
    }
}
