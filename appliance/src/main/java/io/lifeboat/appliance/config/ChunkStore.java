package io.lifeboat.appliance.config;

import java.nio.file.Files;
import java.nio.file.Path;

import io.lifeboat.store.Store;
import io.lifeboat.store.StoreConfig;
import io.lifeboat.store.StoreException;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The appliance's chunk store, opened once at startup ({@link Store#init} with the default
 * parameters when the store directory holds no store yet, else {@link Store#open}) and closed at
 * shutdown, which releases the store's lock for the next process.
 *
 * <p>A store that cannot be opened does not stop the appliance, for the same reason as an
 * uncreatable store directory (see {@link DataDirectories}): health and the console say why, and
 * every use of the store fails with {@link StoreUnavailableException} carrying that reason.
 */
@Component
public class ChunkStore {

    private static final Logger log = LoggerFactory.getLogger(ChunkStore.class);

    private final Path dir;
    private final Store store;
    private final String failure;

    public ChunkStore(LifeboatProperties properties, DataDirectories directoriesCreatedFirst) {
        this.dir = properties.storeDir();
        Store opened = null;
        String why = null;
        try {
            opened = Files.exists(dir.resolve(Store.CONFIG_FILE)) ? Store.open(dir) : init(dir);
            opened.openWarnings().forEach(w -> log.warn("Store {}: {}", dir, w));
        } catch (StoreException e) {
            why = e.getMessage();
            log.error("Store {} cannot be opened ({}); backups and restores will fail until it can", dir, why);
        }
        this.store = opened;
        this.failure = why;
    }

    private static Store init(Path dir) throws StoreException {
        Store s = Store.init(dir, StoreConfig.defaults());
        log.info("Created a new chunk store in {}", dir);
        return s;
    }

    /** The open store. */
    public Store get() throws StoreUnavailableException {
        if (store == null) {
            throw new StoreUnavailableException(dir, failure);
        }
        return store;
    }

    public boolean isOpen() {
        return store != null;
    }

    /** Why the store could not be opened, or null when it is open. */
    public String failure() {
        return failure;
    }

    @PreDestroy
    void close() throws StoreException {
        if (store != null) {
            store.close();
        }
    }
}
