package io.lifeboat.appliance.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class LifeboatPropertiesTest {

    @Test
    void storeDefaultsToStoreUnderTheDataDirectory() {
        LifeboatProperties properties = new LifeboatProperties(Path.of("/srv/lifeboat"), null);

        assertThat(properties.storeDir()).isEqualTo(Path.of("/srv/lifeboat/store"));
    }

    @Test
    void relativePathsBecomeAbsolute() {
        LifeboatProperties properties = new LifeboatProperties(Path.of("data"), Path.of("other/../store"));

        assertThat(properties.dataDir()).isEqualTo(Path.of("data").toAbsolutePath());
        assertThat(properties.storeDir()).isAbsolute().isEqualTo(Path.of("store").toAbsolutePath());
    }
}
