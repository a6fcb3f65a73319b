package io.lifeboat.appliance.health;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.appliance.config.IoMessages;
import io.lifeboat.appliance.config.LifeboatProperties;
import io.lifeboat.store.StoreException;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Health component {@code store}: is the store directory there and can this process write to it?
 *
 * <p>Writability is tested by creating and deleting a probe file, not with
 * {@link Files#isWritable}: the appliance runs as root, for whom permission bits say little,
 * while a read-only mount, a full disk or a file in the way still make writes fail.
 *
 * <p>With the appliance's {@link ChunkStore}: down if the store could not be opened, else the
 * number of restore points in it ({@code restorePoints}).
 */
@Component
public class StoreHealthIndicator implements HealthIndicator {

    private final Path storeDir;
    private final ChunkStore store;

    /** Checks the directory only. */
    public StoreHealthIndicator(LifeboatProperties properties) {
        this(properties, null);
    }

    @Autowired
    public StoreHealthIndicator(LifeboatProperties properties, ChunkStore store) {
        this.storeDir = properties.storeDir();
        this.store = store;
    }

    @Override
    public Health health() {
        Health.Builder health = Health.up().withDetail("path", storeDir.toString());
        if (!Files.isDirectory(storeDir)) {
            String reason = Files.exists(storeDir)
                    ? "store path is not a directory"
                    : "store directory does not exist";
            return health.down().withDetail("writable", false).withDetail("reason", reason).build();
        }
        try {
            Path probe = Files.createTempFile(storeDir, ".health-", ".probe");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            return health.down().withDetail("writable", false)
                    .withDetail("reason", "store directory is not writable: " + IoMessages.describe(e))
                    .build();
        }
        health.withDetail("writable", true);
        if (store == null) {
            return health.build();
        }
        if (!store.isOpen()) {
            return health.down().withDetail("reason", store.failure()).build();
        }
        try {
            return health.withDetail("restorePoints", store.get().list().size()).build();
        } catch (StoreException e) {
            return health.down().withDetail("reason", e.getMessage()).build();
        }
    }
}
