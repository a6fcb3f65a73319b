package io.lifeboat.kvm.libvirt;

import java.time.Duration;

import org.libvirt.Connect;

import io.lifeboat.kvm.KvmException;

/**
 * One libvirt host's connection, opened on first use and reopened when it has died. Before each
 * use a dead connection ({@code virConnectIsAlive} false) is replaced; a caller whose call failed
 * with a connection-level error {@link #drop}s it, and the next use opens a new one. Failed calls
 * are not retried here, because define or start might have reached the daemon before the
 * connection broke. libvirt connections are thread-safe, so one serves every caller.
 */
public final class ReconnectingConnection implements AutoCloseable {

    private final String uri;
    private final Duration timeout;
    private Connect current;

    public ReconnectingConnection(String uri, Duration timeout) {
        this.uri = uri;
        this.timeout = timeout;
    }

    public String uri() {
        return uri;
    }

    /** The open connection, opened or reopened within the timeout if there is none alive. */
    public synchronized Connect get() throws KvmException {
        if (current != null && LibvirtConnection.isAlive(current)) {
            return current;
        }
        LibvirtConnection.closeQuietly(current);
        current = null;
        current = LibvirtConnection.open(uri, timeout);
        return current;
    }

    /** Closes {@code connect} if it is still the current one, so the next {@link #get} opens a new one. */
    public synchronized void drop(Connect connect) {
        if (current == connect) {
            current = null;
        }
        LibvirtConnection.closeQuietly(connect);
    }

    @Override
    public synchronized void close() {
        LibvirtConnection.closeQuietly(current);
        current = null;
    }
}
