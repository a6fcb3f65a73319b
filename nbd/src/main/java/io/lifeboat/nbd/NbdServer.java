package io.lifeboat.nbd;

import java.io.Closeable;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A read-only NBD server: serves named {@link NbdExport}s over a unix domain socket and/or TCP
 * on the loopback address to clients such as QEMU (a qcow2 overlay whose backing file is the
 * export) or {@link NbdClient}.
 *
 * <p>One thread accepts per listener and one thread serves each connection, so a slow or broken
 * client delays nobody else. A connection must finish its handshake ({@link ServerHandshake})
 * within {@link NbdServerOptions#handshakeTimeout()}; in transmission ({@link ServerTransmission})
 * each message must move within {@link NbdServerOptions#ioTimeout()}, while the wait for the next
 * request is bounded only by {@link NbdServerOptions#idleTimeout()}. A client that breaks the
 * protocol loses its connection and nothing else; requests that are merely wrong get an error
 * reply. Exports can be added and removed while the server runs; removing one does not cut
 * connections already serving it. {@link #close()} stops accepting, closes every connection and
 * returns once all the server's threads have ended.
 */
public final class NbdServer implements Closeable {

    private static final System.Logger LOG = System.getLogger(NbdServer.class.getName());
    /** How long close() waits for a connection thread stuck in a slow export read. */
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(30);
    /** Pause after a failed accept (out of descriptors, say) so the loop does not spin. */
    private static final long ACCEPT_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final NbdServerOptions options;
    private final ConcurrentHashMap<String, NbdExport> exports = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ExportCounters> counters = new ConcurrentHashMap<>();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private final List<Thread> acceptors = new ArrayList<>();
    private final AtomicLong connectionIds = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private Path unixSocket;
    private int tcpPort = -1;
    private volatile boolean closed;

    private NbdServer(NbdServerOptions options) {
        this.options = options;
    }

    /** Binds the listeners of {@code options} and starts serving {@code exports}. */
    public static NbdServer start(NbdServerOptions options, Collection<? extends NbdExport> exports) throws IOException {
        NbdServer server = new NbdServer(options);
        try {
            exports.forEach(server::addExport);
            if (options.unixSocket() != null) {
                server.listenUnix(options.unixSocket());
            }
            if (options.tcpPort() != null) {
                server.listenTcp(options.tcpPort());
            }
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        server.listeners.forEach(server::startAcceptor);
        return server;
    }

    /** Serves {@code export} from now on; its name must be new to this server. */
    public void addExport(NbdExport export) {
        String name = export.name();
        WireStrings.encode(name, "export name");
        if (export.size() < 0) {
            throw new IllegalArgumentException("export '" + name + "' has negative size " + export.size());
        }
        if (exports.putIfAbsent(name, export) != null) {
            throw new IllegalArgumentException("an export named '" + name + "' is already served");
        }
        counters.computeIfAbsent(name, n -> new ExportCounters());
    }

    /** Stops offering the export to new connections; returns whether it was served. */
    public boolean removeExport(String name) {
        return exports.remove(name) != null;
    }

    public Set<String> exportNames() {
        return new TreeSet<>(exports.keySet());
    }

    /** The unix socket listened on, if any. */
    public Optional<Path> unixSocket() {
        return Optional.ofNullable(unixSocket);
    }

    /** The loopback TCP port listened on (the one picked, if 0 was asked for), if any. */
    public OptionalInt tcpPort() {
        return tcpPort < 0 ? OptionalInt.empty() : OptionalInt.of(tcpPort);
    }

    /** Counters of an export that is or was served; an unknown name is an error. */
    public ExportStatistics statistics(String exportName) {
        ExportCounters c = counters.get(exportName);
        if (c == null) {
            throw new IllegalArgumentException("no export named '" + exportName + "' was ever served");
        }
        return c.snapshot();
    }

    /** Connections accepted and served (or being served) since the start. */
    public long connectionsAccepted() {
        return connectionIds.get();
    }

    /** Connections closed at once because {@link NbdServerOptions#maxConnections()} were open. */
    public long connectionsRefused() {
        return refused.get();
    }

    public int activeConnections() {
        return connections.size();
    }

    /** Stops accepting, closes every connection and waits for all threads to end. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException failure = null;
        for (ServerSocketChannel listener : listeners) {
            try {
                listener.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        join(acceptors);
        List<Thread> threads = new ArrayList<>();
        for (Connection c : connections) {
            threads.add(c.thread);
            try {
                c.channel.shutdown();
            } catch (IOException e) {
                failure = e;
            }
        }
        join(threads);
        if (unixSocket != null) {
            Files.deleteIfExists(unixSocket);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void listenUnix(Path path) throws IOException {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(path);
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            try {
                listener.bind(address);
            } catch (BindException e) {
                if (!isStale(address)) {
                    throw new BindException("unix socket " + path + " is in use by another server");
                }
                // Left behind by a server that died: nobody answers on it.
                Files.delete(path);
                listener.bind(address);
            }
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        listeners.add(listener);
        unixSocket = path;
    }

    private static boolean isStale(UnixDomainSocketAddress address) {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(address);
            return false;
        } catch (IOException refused) {
            try {
                // Only ever delete a socket, never a file that happens to have the name.
                int mode = (Integer) Files.getAttribute(address.getPath(), "unix:mode");
                return (mode & S_IFMT) == S_IFSOCK;
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }
    }

    private void listenTcp(int port) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        try {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        listeners.add(listener);
        tcpPort = ((InetSocketAddress) listener.getLocalAddress()).getPort();
    }

    private void startAcceptor(ServerSocketChannel listener) {
        Thread thread = new Thread(() -> acceptLoop(listener), "nbd-accept-" + acceptors.size());
        thread.setDaemon(true);
        acceptors.add(thread);
        thread.start();
    }

    private void acceptLoop(ServerSocketChannel listener) {
        while (!closed) {
            SocketChannel socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (closed || !listener.isOpen()) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "NBD server: accept failed: " + e);
                LockSupport.parkNanos(ACCEPT_BACKOFF_NANOS);
                continue;
            }
            try {
                admit(socket);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "NBD server: could not set up a connection: " + e);
                closeQuietly(socket);
            }
        }
    }

    private void admit(SocketChannel socket) throws IOException {
        if (closed || connections.size() >= options.maxConnections()) {
            refused.incrementAndGet();
            socket.close();
            return;
        }
        if (!(socket.getLocalAddress() instanceof UnixDomainSocketAddress)) {
            // Small replies (errors, block status) should not wait for Nagle.
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        NbdChannel channel = NbdChannel.accepted(socket, options.ioTimeout());
        long id = connectionIds.incrementAndGet();
        Connection connection = new Connection(id, channel);
        connections.add(connection);
        connection.thread.start();
    }

    private void join(List<Thread> threads) {
        long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (t.isAlive()) {
                LOG.log(System.Logger.Level.WARNING, "NBD server: " + t.getName() + " did not end within "
                        + JOIN_TIMEOUT.toSeconds() + " s of close()");
            }
        }
    }

    private static void closeQuietly(SocketChannel socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing more can be done about a socket that will not close.
        }
    }

    /** One client: its socket and the thread that negotiates and serves it. */
    private final class Connection {

        final long id;
        final NbdChannel channel;
        final Thread thread;

        Connection(long id, NbdChannel channel) {
            this.id = id;
            this.channel = channel;
            this.thread = new Thread(this::run, "nbd-connection-" + id);
            thread.setDaemon(true);
        }

        private void run() {
            ExportCounters exportCounters = null;
            try (channel) {
                channel.limitUntil(System.nanoTime() + options.handshakeTimeout().toNanos());
                ServerHandshake.Session session = ServerHandshake.negotiate(channel, exports);
                if (session == null) {
                    return;
                }
                channel.removeLimit();
                exportCounters = counters.get(session.export().name());
                exportCounters.connections.increment();
                exportCounters.activeConnections.increment();
                new ServerTransmission(channel, session, exportCounters, options.idleTimeout()).serve();
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.DEBUG, "NBD connection " + id + " ended: " + e);
                }
            } finally {
                if (exportCounters != null) {
                    exportCounters.activeConnections.decrement();
                }
                connections.remove(this);
            }
        }
    }
}
