package io.lifeboat.restore.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Collections;
import java.util.List;

import io.lifeboat.restore.TestImages;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tar written by GNU tar the way libguestfs' {@code tar-out} writes one ({@code tar -C dir -cf - .})
 * becomes a zip that Info-ZIP's {@code unzip} unpacks to the same tree: contents, modes, times,
 * a symbolic link as a link, a hard link as a copy; a FIFO is left out and counted.
 */
class TarToZipTest {

    @TempDir
    Path dir;

    @Test
    void aDirectoryTreeComesOutOfTheZipAsItWentIntoTheTar() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("log"));
        Path app = Files.createDirectories(tree.resolve("app"));
        Files.writeString(tree.resolve("syslog"), "booted\n");
        Files.writeString(app.resolve("app.log"), "x".repeat(100_000));
        Files.setPosixFilePermissions(app.resolve("app.log"), PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(tree.resolve("current"), Path.of("app/app.log"));
        Files.createLink(tree.resolve("syslog.1"), tree.resolve("syslog"));
        TestImages.run("mkfifo", tree.resolve("initctl").toString());
        Instant mtime = Instant.parse("2024-03-01T12:00:00Z");
        Files.setLastModifiedTime(tree.resolve("syslog"), FileTime.from(mtime));
        Path tar = dir.resolve("log.tar");
        TestImages.run("tar", "-C", tree.toString(), "-cf", tar.toString(), ".");

        Path zip = dir.resolve("log.zip");
        TarToZip.Result r = TarToZip.convert(tar, zip);
        assertThat(r.skipped()).as("the FIFO").isEqualTo(1);
        assertThat(r.entries()).isEqualTo(5);

        try (ZipFile z = ZipFile.builder().setPath(zip).get()) {
            List<ZipArchiveEntry> entries = Collections.list(z.getEntries());
            assertThat(entries).extracting(ZipArchiveEntry::getName)
                    .containsExactlyInAnyOrder("app/", "app/app.log", "syslog", "syslog.1", "current");
            ZipArchiveEntry log = z.getEntry("app/app.log");
            assertThat(log.getMethod()).isEqualTo(ZipArchiveEntry.DEFLATED);
            assertThat(log.getCompressedSize()).as("deflated").isLessThan(10_000);
        }

        // what a user's unzip makes of it
        Path out = Files.createDirectories(dir.resolve("unzipped"));
        TestImages.run("unzip", "-q", zip.toString(), "-d", out.toString());
        assertThat(Files.readString(out.resolve("syslog"))).isEqualTo("booted\n");
        assertThat(Files.readString(out.resolve("syslog.1"))).as("a hard link, as a copy").isEqualTo("booted\n");
        assertThat(Files.readString(out.resolve("app/app.log"))).hasSize(100_000);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("app/app.log")))).isEqualTo("rw-------");
        assertThat(Files.isSymbolicLink(out.resolve("current"))).isTrue();
        assertThat(Files.readSymbolicLink(out.resolve("current"))).isEqualTo(Path.of("app/app.log"));
        assertThat(Files.getLastModifiedTime(out.resolve("syslog")).toInstant()).isEqualTo(mtime);
        assertThat(out.resolve("initctl")).doesNotExist();
    }

    @Test
    void aFileThatIsNotATarIsAClearError() throws IOException {
        Path tar = Files.write(dir.resolve("bad.tar"), "not a tar at all, and far too short".getBytes(StandardCharsets.UTF_8));
        Path zip = dir.resolve("bad.zip");
        assertThatThrownBy(() -> TarToZip.convert(tar, zip)).isInstanceOf(IOException.class).hasMessageContaining("is not a tar archive");
    }
}
