package io.lifeboat.nbd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how {@link NbdServer} listens. At least one of a unix socket and a TCP port; TCP is
 * bound to the loopback address only, since exports carry no authentication and no TLS.
 *
 * @param unixSocket       path of the unix domain socket to create, or {@code null}
 * @param tcpPort          loopback TCP port, 0 for any free one, or {@code null} for none
 * @param handshakeTimeout a client must finish negotiating within this time of connecting
 * @param ioTimeout        longest pause allowed inside one message (part of a request read, a
 *                         reply blocked because the client does not read)
 * @param idleTimeout      longest wait for the next request, or {@code null} to wait forever
 *                         (a VM whose disk is the export may stay silent for hours)
 * @param maxConnections   connections beyond this many are closed as soon as accepted
 */
public record NbdServerOptions(Path unixSocket, Integer tcpPort, Duration handshakeTimeout, Duration ioTimeout,
                               Duration idleTimeout, int maxConnections) {

    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IO_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_CONNECTIONS = 64;

    public NbdServerOptions {
        if (unixSocket == null && tcpPort == null) {
            throw new IllegalArgumentException("an NBD server needs a unix socket or a TCP port");
        }
        if (tcpPort != null && (tcpPort < 0 || tcpPort > 65535)) {
            throw new IllegalArgumentException("bad TCP port " + tcpPort);
        }
        requirePositive(handshakeTimeout, "handshakeTimeout");
        requirePositive(ioTimeout, "ioTimeout");
        if (idleTimeout != null) {
            requirePositive(idleTimeout, "idleTimeout");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1: " + maxConnections);
        }
    }

    /** Listens on a unix socket only, with the default timeouts and limits. */
    public static NbdServerOptions unix(Path socket) {
        return new NbdServerOptions(Objects.requireNonNull(socket), null, DEFAULT_HANDSHAKE_TIMEOUT,
                DEFAULT_IO_TIMEOUT, null, DEFAULT_MAX_CONNECTIONS);
    }

    /** Listens on a loopback TCP port only (0: any free port), with the default timeouts and limits. */
    public static NbdServerOptions tcp(int port) {
        return new NbdServerOptions(null, port, DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_IO_TIMEOUT, null,
                DEFAULT_MAX_CONNECTIONS);
    }

    public NbdServerOptions withUnixSocket(Path socket) {
        return new NbdServerOptions(socket, tcpPort, handshakeTimeout, ioTimeout, idleTimeout, maxConnections);
    }

    public NbdServerOptions withTcpPort(Integer port) {
        return new NbdServerOptions(unixSocket, port, handshakeTimeout, ioTimeout, idleTimeout, maxConnections);
    }

    public NbdServerOptions withHandshakeTimeout(Duration timeout) {
        return new NbdServerOptions(unixSocket, tcpPort, timeout, ioTimeout, idleTimeout, maxConnections);
    }

    public NbdServerOptions withIoTimeout(Duration timeout) {
        return new NbdServerOptions(unixSocket, tcpPort, handshakeTimeout, timeout, idleTimeout, maxConnections);
    }

    public NbdServerOptions withIdleTimeout(Duration timeout) {
        return new NbdServerOptions(unixSocket, tcpPort, handshakeTimeout, ioTimeout, timeout, maxConnections);
    }

    public NbdServerOptions withMaxConnections(int max) {
        return new NbdServerOptions(unixSocket, tcpPort, handshakeTimeout, ioTimeout, idleTimeout, max);
    }

    private static void requirePositive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + d);
        }
    }
}
