package io.lifeboat.restore.instant;

import io.lifeboat.nbd.ExportStatistics;
import io.lifeboat.nbd.NbdExport;
import io.lifeboat.nbd.NbdServer;
import io.lifeboat.nbd.NbdServerOptions;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.read.ChunkSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The NBD exports this process serves for instant recovery sessions: one {@link NbdServer} per
 * session on the session's unix socket, with one {@link RestorePointExport} per disk (named after
 * the disk's target) reading the restore point's chunks on demand.
 */
final class SessionExports implements AutoCloseable {
    private final ExecutorService readAheadThreads = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "instant-recovery-read-ahead");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, NbdServer> servers = new ConcurrentHashMap<>();

    /** Starts serving every disk of the session from {@code source}. */
    void serve(InstantSession session, Manifest manifest, ChunkSource source, int cacheChunks, int readAhead)
            throws IOException {
        List<NbdExport> exports = new ArrayList<>();
        for (InstantSession.Disk d : session.disks()) {
            exports.add(new RestorePointExport(d.target(), manifest.disk(d.target()), source, cacheChunks, readAhead,
                    readAhead > 0 ? readAheadThreads : null));
        }
        servers.put(session.id(), NbdServer.start(NbdServerOptions.unix(Path.of(session.socket())), exports));
    }

    boolean serving(String id) {
        return servers.containsKey(id);
    }

    List<String> served() {
        return List.copyOf(servers.keySet());
    }

    /** What the export of one disk has served so far, while it is served. */
    Optional<ExportStatistics> statistics(String id, String disk) {
        NbdServer server = servers.get(id);
        return server == null ? Optional.empty() : Optional.of(server.statistics(disk));
    }

    /** Whether QEMU is connected to the disk's export; true when this process does not serve it (it cannot be told). */
    boolean connected(String id, String disk) {
        NbdServer server = servers.get(id);
        return server == null || server.statistics(disk).activeConnections() > 0;
    }

    /** Stops the session's export here, if any; it removes its socket. */
    void stop(String id) {
        NbdServer server = servers.remove(id);
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                // the server stops accepting and drops its connections whatever close() reports
            }
        }
    }

    /** Stops every export; the read-ahead threads go too. */
    @Override
    public void close() {
        served().forEach(this::stop);
        readAheadThreads.shutdownNow();
    }
}
