package io.lifeboat.appliance.restore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import io.lifeboat.appliance.catalog.RestorePointPins;
import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.appliance.config.DataDirectories;
import io.lifeboat.appliance.config.LifeboatProperties;
import io.lifeboat.restore.files.FileRestore;
import io.lifeboat.restore.files.FileRestoreSessions;
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

    private final ChunkStore store;
    private final FileRestoreSessions sessions;

    public FileSessions(ChunkStore store, LifeboatProperties lifeboat, FileRestoreProperties properties,
                        DataDirectories createdFirst) {
        this.store = store;
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
