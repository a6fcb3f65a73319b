package io.lifeboat.appliance.config;

import java.io.IOException;
import java.nio.file.Files;

import jakarta.annotation.PostConstruct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Creates the data and store directories at startup. Beans that open files there take this one
 * as a constructor argument, so the directories exist before they do.
 *
 * <p>A data directory that cannot be created stops the appliance: nothing works without it.
 * A store directory that cannot be created only logs: the appliance stays up so that
 * {@code /actuator/health} (component {@code store}) and the console can show the operator what
 * is wrong, instead of a container restarting in a loop.
 */
@Component
public class DataDirectories {

    private static final Logger log = LoggerFactory.getLogger(DataDirectories.class);

    private final LifeboatProperties properties;

    public DataDirectories(LifeboatProperties properties) {
        this.properties = properties;
    }

    @PostConstruct
    void create() {
        try {
            Files.createDirectories(properties.dataDir());
        } catch (IOException | SecurityException e) {
            throw new DataDirectoryException(properties.dataDir(), e);
        }
        log.info("Data directory: {}", properties.dataDir());
        try {
            Files.createDirectories(properties.storeDir());
            log.info("Store directory: {}", properties.storeDir());
        } catch (IOException | SecurityException e) {
            log.error("Store directory {} cannot be created ({}); backups will fail until it can",
                    properties.storeDir(), IoMessages.describe(e));
        }
    }
}
