package io.lifeboat.appliance.config;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the appliance keeps its state, bound from {@code lifeboat.*} in {@code application.yaml}.
 *
 * @param dataDir  everything the appliance writes lives under here ({@code LIFEBOAT_HOME}, default {@code ./data})
 * @param storeDir the chunk store; defaults to {@code <dataDir>/store} so one volume holds everything,
 *                 but may point elsewhere (a bigger disk) on its own
 */
@ConfigurationProperties("lifeboat")
public record LifeboatProperties(@DefaultValue("./data") Path dataDir, Path storeDir) {

    public LifeboatProperties {
        // Absolute paths, so logs and health details say exactly where things are.
        dataDir = dataDir.toAbsolutePath().normalize();
        storeDir = storeDir == null ? dataDir.resolve("store") : storeDir.toAbsolutePath().normalize();
    }
}
