package io.lifeboat.nbd;

import java.io.IOException;

/**
 * The peer broke the NBD protocol (bad magic, truncated or oversized message, unexpected
 * cookie, ...) or stopped answering. The connection cannot be trusted any more and has been
 * closed by the time a caller of {@link NbdClient} sees this.
 */
public class NbdProtocolException extends IOException {

    public NbdProtocolException(String message) {
        super(message);
    }
}
