package io.lifeboat.appliance.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import io.lifeboat.appliance.config.LifeboatProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

class StoreHealthIndicatorTest {

    @TempDir
    Path dir;

    private Health healthOf(Path store) {
        return new StoreHealthIndicator(new LifeboatProperties(dir, store)).health();
    }

    @Test
    void writableDirectoryIsUpAndLeavesNoProbeBehind() throws IOException {
        Path store = Files.createDirectory(dir.resolve("store"));

        Health health = healthOf(store);

        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("path", store.toString()).containsEntry("writable", true);
        try (var files = Files.list(store)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void missingDirectoryIsDown() {
        Health health = healthOf(dir.resolve("absent"));

        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails()).containsEntry("reason", "store directory does not exist");
    }

    @Test
    void regularFileIsDown() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");

        Health health = healthOf(file);

        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails()).containsEntry("reason", "store path is not a directory");
    }

    @Test
    void directoryWhereWritesFailIsDown() throws IOException {
        Path store = Files.createDirectory(dir.resolve("store"));
        Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("r-xr-xr-x"));
        boolean mounted = false;
        if (canCreateFileIn(store)) {
            // root ignores permission bits: make the file system itself read-only instead
            assertThat(run("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", store.toString()))
                    .as("mount a read-only tmpfs on %s", store).isZero();
            mounted = true;
            assertThat(canCreateFileIn(store)).isFalse();
        }
        try {
            Health health = healthOf(store);

            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsEntry("writable", false);
            assertThat((String) health.getDetails().get("reason")).startsWith("store directory is not writable");
        } finally {
            if (mounted) {
                assertThat(run("umount", store.toString())).isZero();
            }
            Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static int run(String... command) {
        try {
            return new ProcessBuilder(command).inheritIO().start().waitFor();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static boolean canCreateFileIn(Path dir) {
        try {
            Files.delete(Files.createTempFile(dir, "check", null));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
