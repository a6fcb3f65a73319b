package io.lifeboat.appliance.health;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.lifeboat.appliance.config.IoMessages;
import io.lifeboat.appliance.config.LifeboatProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Health component {@code store}: is the store directory there and can this process write to it?
 *
 * <p>Writability is tested by creating and deleting a probe file, not with
 * {@link Files#isWritable}: the appliance runs as root, for whom permission bits say little,
 * while a read-only mount, a full disk or a file in the way still make writes fail.
 */
@Component
public class StoreHealthIndicator implements HealthIndicator {

    private final Path storeDir;

    public StoreHealthIndicator(LifeboatProperties properties) {
        this.storeDir = properties.storeDir();
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
        return health.withDetail("writable", true).build();
    }
}
