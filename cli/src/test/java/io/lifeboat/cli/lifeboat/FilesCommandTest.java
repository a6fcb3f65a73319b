package io.lifeboat.cli.lifeboat;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.cli.ExitCode;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lifeboat files ...}: the API calls each verb makes, and a download written to its file. */
class FilesCommandTest {
    @TempDir
    Path dir;

    @Test
    void eachVerbCallsItsEndpointAndDownloadsLandInTheirFile() throws Exception {
        try (StubAppliance appliance = new StubAppliance("{\"id\":\"0a1b2c3d\"}")) {
            assertThat(lifeboat(appliance, "files", "open", "web01/20261127T070102.123Z")).isEqualTo(ExitCode.OK);
            assertThat(lifeboat(appliance, "files", "ls", "0a1b2c3d", "--fs", "/dev/sda1", "/etc")).isEqualTo(ExitCode.OK);
            Path out = dir.resolve("hostname");
            assertThat(lifeboat(appliance, "files", "get", "0a1b2c3d", "--fs", "/dev/VG/LV", "/etc/my notes", "-o", out.toString()))
                    .isEqualTo(ExitCode.OK);
            assertThat(Files.readString(out)).isEqualTo("{\"id\":\"0a1b2c3d\"}");
            assertThat(lifeboat(appliance, "files", "tar", "0a1b2c3d", "--fs", "/dev/sda1", "/var/log", "-o",
                    dir.resolve("log.tar").toString())).isEqualTo(ExitCode.OK);
            assertThat(lifeboat(appliance, "files", "zip", "0a1b2c3d", "--fs", "/dev/sda1", "/var/log", "-o",
                    dir.resolve("log.zip").toString())).isEqualTo(ExitCode.OK);
            assertThat(dir.resolve("log.zip")).exists();
            assertThat(lifeboat(appliance, "files", "close", "0a1b2c3d")).isEqualTo(ExitCode.OK);
            assertThat(lifeboat(appliance, "files", "open", "not-a-restore-point")).isEqualTo(ExitCode.USAGE);
            assertThat(appliance.requests).containsExactly(
                    "POST /api/restore-points/web01/20261127T070102.123Z/files",
                    "GET /api/file-sessions/0a1b2c3d/ls?fs=%2Fdev%2Fsda1&path=%2Fetc",
                    "GET /api/file-sessions/0a1b2c3d/file?fs=%2Fdev%2FVG%2FLV&path=%2Fetc%2Fmy+notes",
                    "GET /api/file-sessions/0a1b2c3d/tar?fs=%2Fdev%2Fsda1&path=%2Fvar%2Flog",
                    "GET /api/file-sessions/0a1b2c3d/zip?fs=%2Fdev%2Fsda1&path=%2Fvar%2Flog",
                    "DELETE /api/file-sessions/0a1b2c3d");
        }
    }

    private static int lifeboat(StubAppliance appliance, String... args) {
        return appliance.lifeboat(args);
    }
}
