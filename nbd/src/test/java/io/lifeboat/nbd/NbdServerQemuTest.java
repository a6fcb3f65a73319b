package io.lifeboat.nbd;

import static io.lifeboat.nbd.SparseFileExport.MiB;
import static io.lifeboat.nbd.SparseFileExport.SIZE;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Conformance with QEMU as the client: qemu-img and qemu-io read the server's export as a raw disk. */
@Timeout(120)
class NbdServerQemuTest {

    private static final Pattern MAP_ENTRY = Pattern.compile(
            "\"start\": (\\d+), \"length\": (\\d+),.*?\"zero\": (true|false), \"data\": (true|false)");

    @TempDir
    Path dir;

    private SparseFileExport vda;
    private NbdServer server;
    private String uri;

    @BeforeEach
    void start() throws Exception {
        Assumptions.assumeTrue(QemuNbd.toolsAvailable(), "qemu-utils not installed");
        vda = SparseFileExport.create(dir, "vda");
        Path socket = dir.resolve("nbd.sock");
        server = NbdServer.start(NbdServerOptions.unix(socket).withTcpPort(0), List.of(vda));
        uri = "nbd+unix:///vda?socket=" + socket;
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (vda != null) {
            vda.close();
        }
    }

    @Test
    void qemuImgInfoSeesARawDiskOfTheExportsSize() throws Exception {
        String info = QemuNbd.output(dir, "qemu-img", "info", "--output=json", "-f", "raw", uri);
        assertThat(info).contains("\"virtual-size\": " + SIZE).contains("\"format\": \"raw\"");
        String tcp = QemuNbd.output(dir, "qemu-img", "info", "--output=json", "-f", "raw",
                "nbd://127.0.0.1:" + server.tcpPort().orElseThrow() + "/vda");
        assertThat(tcp).contains("\"virtual-size\": " + SIZE);
    }

    @Test
    void qemuImgMapMatchesTheExportsAllocation() throws Exception {
        String json = QemuNbd.output(dir, "qemu-img", "map", "--output=json", "-f", "raw", uri);
        List<Extent> extents = new ArrayList<>();
        Matcher m = MAP_ENTRY.matcher(json);
        while (m.find()) {
            int flags = (Boolean.parseBoolean(m.group(4)) ? 0 : Extent.NBD_STATE_HOLE)
                    | (Boolean.parseBoolean(m.group(3)) ? Extent.NBD_STATE_ZERO : 0);
            NbdClient.appendMerged(extents, new Extent(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), flags));
        }
        assertThat(extents).isEqualTo(vda.allocation());
        // Mapping reads block status only, never data.
        assertThat(server.statistics("vda").bytesRead()).isZero();
    }

    @Test
    void qemuImgConvertCopiesTheExportBitExact() throws Exception {
        Path out = dir.resolve("out.raw");
        QemuNbd.run(dir, "qemu-img", "convert", "-f", "raw", "-O", "raw", uri, out.toString());
        assertThat(Files.size(out)).isEqualTo(SIZE);
        assertThat(Files.mismatch(out, vda.file())).isEqualTo(-1);
        assertThat(Arrays.mismatch(Files.readAllBytes(out), SparseFileExport.expectedContent())).isEqualTo(-1);
    }

    @Test
    void qemuImgCompareFindsTheExportEqualToItsSourceAndUnequalToAChangedCopy() throws Exception {
        assertThat(exitCode("qemu-img", "compare", "-f", "raw", "-F", "raw", uri, vda.file().toString())).isZero();

        Path changed = dir.resolve("changed.raw");
        Files.copy(vda.file(), changed);
        try (var channel = Files.newByteChannel(changed, StandardOpenOption.WRITE)) {
            channel.position(30L * MiB).write(java.nio.ByteBuffer.wrap(new byte[] {0x12}));
        }
        assertThat(exitCode("qemu-img", "compare", "-f", "raw", "-F", "raw", uri, changed.toString())).isEqualTo(1);
    }

    @Test
    void qemuIoReadsThePatterns() throws Exception {
        String ok = QemuNbd.output(dir, "qemu-io", "-r", "-f", "raw", uri,
                "-c", "read -P 0xab 1M 64k", "-c", "read -P 0x11 31M 2M", "-c", "read -P 0 2M 1M",
                "-c", "read -P 0x5a " + (SIZE - 4096) + " 4k");
        assertThat(ok).doesNotContain("failed").contains("read 65536/65536").contains("read 2097152/2097152")
                .contains("read 1048576/1048576").contains("read 4096/4096");
        // The pattern check is real: the wrong pattern fails.
        assertThat(exitCode("qemu-io", "-r", "-f", "raw", uri, "-c", "read -P 0xcd 1M 4k")).isNotZero();
    }

    @Test
    void qcow2OverlayTakesTheWritesAndReadsTheRestThroughTheExport() throws Exception {
        Path overlay = dir.resolve("overlay.qcow2");
        QemuNbd.run(dir, "qemu-img", "create", "-q", "-f", "qcow2", "-b", uri, "-F", "raw", overlay.toString());
        long before = server.statistics("vda").bytesRead();

        // Whole 64 KiB clusters: the overlay needs nothing of the export to take these writes.
        String out = QemuNbd.output(dir, "qemu-io", "-f", "qcow2", overlay.toString(),
                "-c", "write -P 0x5a 2M 64k", "-c", "write -P 0x77 5M 64k",
                "-c", "read -P 0x5a 2M 64k", "-c", "read -P 0x77 5M 64k",
                "-c", "read -P 0xcd 6M 128k", "-c", "read -P 0xab 1M 64k");
        assertThat(out).doesNotContain("failed");
        assertThat(server.statistics("vda").bytesRead() - before).isEqualTo(128 * 1024 + 64 * 1024);

        // The export is untouched; reopening the overlay still shows the writes over the export's data.
        assertThat(Arrays.mismatch(Files.readAllBytes(vda.file()), SparseFileExport.expectedContent())).isEqualTo(-1);
        String again = QemuNbd.output(dir, "qemu-io", "-r", "-f", "qcow2", overlay.toString(),
                "-c", "read -P 0x5a 2M 64k", "-c", "read -P 0x77 5M 64k", "-c", "read -P 0xcd " + (5 * MiB + 65536) + " 64k");
        assertThat(again).doesNotContain("failed");
    }

    private int exitCode(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new IllegalStateException(String.join(" ", command) + " did not finish");
        }
        return p.exitValue();
    }
}
