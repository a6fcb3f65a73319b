package io.lifeboat.appliance.restore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import io.lifeboat.appliance.catalog.RestorePointPins;
import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.appliance.config.DataDirectories;
import io.lifeboat.appliance.config.LifeboatProperties;
import io.lifeboat.appliance.inventory.InventoryException;
import io.lifeboat.appliance.inventory.LibvirtHosts;
import io.lifeboat.restore.RestoreException;
import io.lifeboat.restore.files.FileRestore;
import io.lifeboat.restore.files.FileRestoreSessions;
import io.lifeboat.restore.files.GuestEntry;
import io.lifeboat.restore.files.GuestPath;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * File-level restore sessions of the appliance: the restore agent's {@link FileRestoreSessions}
 * under {@code <data-dir>/files}, reading chunks from the local store. A restore point being
 * browsed is pinned (not deleted, kept by retention) until its session closes; sessions close
 * after {@code lifeboat.file-restore.idle-timeout} without use, and all of them at shutdown.
 */
@Service
public class FileSessions implements RestorePointPins {

    private static final Logger log = LoggerFactory.getLogger(FileSessions.class);
    /** Decoded chunks each disk's export keeps in memory. */
    private static final int CACHE_CHUNKS = 16;
    /** One guest agent command of a put-back (a 1 MiB piece, a chmod, a rename). */
    private static final Duration AGENT_TIMEOUT = Duration.ofSeconds(60);

    private final ChunkStore store;
    private final FileRestoreSessions sessions;
    private final LibvirtHosts hosts;
    private final Duration agentTimeout;

    public FileSessions(ChunkStore store, LifeboatProperties lifeboat, FileRestoreProperties properties, LibvirtHosts hosts,
                        DataDirectories createdFirst) {
        this.store = store;
        this.hosts = hosts;
        this.agentTimeout = AGENT_TIMEOUT;
        Path root = lifeboat.dataDir().resolve("files");
        try {
            this.sessions = new FileRestoreSessions(root, properties.idleTimeout(), properties.maxSessions(),
                    new FileRestore.Options(properties.forceTcg(), CACHE_CHUNKS, properties.commandTimeout()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + root + ": " + e.getMessage(), e);
        }
    }

    /** Opens a session over the restore point: its file systems are listed once the appliance runs. */
    public FileRestore open(RestorePointId id) throws StoreException {
        Store s = store.get();
        Manifest manifest = s.manifest(id);
        FileRestore session = sessions.open(manifest, s.chunks());
        log.info("File restore {}: {} browsed ({} file system(s), appliance launched in {} ms)", session.id(), id,
                session.filesystems().size(), session.launchTime().toMillis());
        return session;
    }

    public FileRestore get(String id) throws StoreException {
        return sessions.get(id);
    }

    public void close(String id) throws StoreException {
        sessions.close(id);
        log.info("File restore {} closed", id);
    }

    /** A file put back into a running VM. */
    public record PutBack(String vm, String uri, String path, long sizeBytes, String mode, boolean replaced) {
    }

    /**
     * Writes one file of the session into the running VM {@code vm} on {@code uri}, at
     * {@code target}, through the VM's guest agent ({@link GuestAgentFiles}), with the file's
     * mode from the restore point. An existing target is replaced only with {@code overwrite};
     * otherwise CONFLICT, and nothing is written.
     */
    public PutBack putBack(String id, String fs, GuestPath path, String uri, String vm, GuestPath target, boolean overwrite)
            throws StoreException {
        FileRestore session = sessions.get(id);
        GuestEntry entry = session.stat(fs, path);
        if (entry.type() != GuestEntry.Type.FILE) {
            throw RestoreException.badInput(path + " on " + fs + " is a " + entry.type().name().toLowerCase(Locale.ROOT)
                    + ", not a file; only files are put back into a VM");
        }
        try (FileRestore.Download d = session.download(fs, path)) {
            return hosts.withDomain(uri, vm, "put a file back into", domain -> {
                if (domain.isActive() != 1) {
                    throw new InventoryException(InventoryException.Kind.CONFLICT, "VM " + vm + " is not running: a file goes back through its guest agent");
                }
                GuestAgentFiles agent = new GuestAgentFiles(domain, vm, agentTimeout);
                boolean exists = agent.exists(target.value());
                if (exists && !overwrite) {
                    throw new InventoryException(InventoryException.Kind.CONFLICT, target + " exists in " + vm + "; put it back with overwrite, or elsewhere");
                }
                long written;
                try (InputStream in = Files.newInputStream(d.file())) {
                    written = agent.write(target.value(), in, entry.mode());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                log.info("File restore {}: {}:{} put back into {} at {} ({} bytes{})", id, fs, path, vm, target, written,
                        exists ? ", replaced" : "");
                return new PutBack(vm, uri, target.value(), written, entry.mode(), exists);
            });
        }
    }

    @Override
    public Pinned pins() {
        Map<String, String> browsed = sessions.list().stream().filter(s -> !s.closed())
                .collect(Collectors.toMap(FileRestore::restorePoint, FileRestore::id, (a, b) -> a));
        return id -> Optional.ofNullable(browsed.get(id.toString()))
                .map(session -> "file restore session " + session + " is reading it (DELETE /api/file-sessions/" + session + ")");
    }

    @PreDestroy
    void closeAll() {
        sessions.close();
    }
}
