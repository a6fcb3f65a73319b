package io.lifeboat.appliance.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoriesTest {

    @TempDir
    Path dir;

    @Test
    void createsDataAndStoreDirectories() {
        Path data = dir.resolve("a/b/data");

        new DataDirectories(new LifeboatProperties(data, null)).create();

        assertThat(data.resolve("store")).isDirectory();
    }

    @Test
    void dataDirectoryThatCannotBeCreatedStopsStartupWithTheReason() throws IOException {
        Path data = Files.writeString(dir.resolve("file"), "").resolve("data");

        assertThatThrownBy(() -> new DataDirectories(new LifeboatProperties(data, null)).create())
                .isInstanceOf(DataDirectoryException.class)
                .hasMessage("Cannot create data directory " + data + ": Not a directory");
    }

    @Test
    void storeDirectoryThatCannotBeCreatedIsLeftToTheHealthCheck() throws IOException {
        Path store = Files.writeString(dir.resolve("file"), "").resolve("store");

        new DataDirectories(new LifeboatProperties(dir.resolve("data"), store)).create();

        assertThat(dir.resolve("data")).isDirectory();
        assertThat(Files.exists(store)).isFalse();
    }
}
