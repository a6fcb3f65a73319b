package io.lifeboat.nbd;

/**
 * The peer sent nothing for longer than the configured I/O timeout. A separate type so callers
 * can tell a hung server (worth a retry on a new connection) from a broken one.
 */
public final class NbdTimeoutException extends NbdProtocolException {

    public NbdTimeoutException(String message) {
        super(message);
    }
}
