package io.lifeboat.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Writes, write zeroes and flush against a real qemu-nbd serving an image writable (and read-only). */
@Timeout(120)
class NbdClientWriteQemuTest {

    private static final int MiB = 1 << 20;
    private static final int SIZE = 64 * MiB;

    @TempDir
    Path dir;

    private QemuNbd server;

    @BeforeEach
    void requireQemu() {
        Assumptions.assumeTrue(QemuNbd.toolsAvailable(), "qemu-nbd not installed");
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private Path image(String format, long size) throws Exception {
        Path image = dir.resolve("disk." + format);
        QemuNbd.run(dir, "qemu-img", "create", "-q", "-f", format, image.toString(), String.valueOf(size));
        return image;
    }

    private NbdClient serveWritable(Path image, String format) throws Exception {
        Path socket = dir.resolve("w.sock");
        server = QemuNbd.serveUnixWritable(image, format, socket);
        return NbdClient.connectUnix(socket, "vda", List.of());
    }

    private void stop() {
        server.close();
        server = null;
    }

    private static byte[] random(int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    @Test
    void writesAreSplitAtTheServersMaximumAndLandInTheFile() throws Exception {
        Path image = image("raw", SIZE);
        byte[] expected = new byte[SIZE];
        // Unaligned, longer than one 32 MiB request, from the middle of a caller's buffer.
        byte[] buffer = random(41 * MiB, 1);
        int offset = 3 * MiB + 17;
        int length = 40 * MiB + 5;
        System.arraycopy(buffer, 100, expected, offset, length);
        try (NbdClient client = serveWritable(image, "raw")) {
            assertThat(client.isReadOnly()).isFalse();
            assertThat(client.canFlush()).isTrue();
            assertThat(client.maxReadRequest()).isEqualTo(32 * MiB);
            client.write(offset, buffer, 100, length);
            byte[] tail = random(4096, 2);
            client.write(SIZE - 4096, tail, 0, tail.length);
            System.arraycopy(tail, 0, expected, SIZE - 4096, 4096);
            client.flush();

            byte[] back = new byte[SIZE];
            client.read(0, back, 0, SIZE);
            assertThat(Arrays.mismatch(back, expected)).isEqualTo(-1);
        }
        stop();
        assertThat(Files.size(image)).isEqualTo(SIZE);
        assertThat(Arrays.mismatch(Files.readAllBytes(image), expected)).isEqualTo(-1);
    }

    @Test
    void writeZeroesReadsBackAsZeroesAndDeallocatesQcow2Clusters() throws Exception {
        Path image = image("qcow2", SIZE);
        byte[] data = random(8 * MiB, 3);
        try (NbdClient client = serveWritable(image, "qcow2")) {
            assertThat(client.canWriteZeroes()).isTrue();
            client.write(MiB, data, 0, data.length);
            client.writeZeroes(2 * MiB, 4 * MiB);
            client.flush();

            byte[] back = new byte[8 * MiB];
            client.read(MiB, back, 0, back.length);
            byte[] expected = data.clone();
            Arrays.fill(expected, MiB, 5 * MiB, (byte) 0);
            assertThat(back).isEqualTo(expected);
        }
        stop();
        // Zero clusters, not zeroes written as data: the zeroes went as NBD_CMD_WRITE_ZEROES.
        String map = QemuNbd.output(dir, "qemu-img", "map", "--output=json", "-f", "qcow2", image.toString());
        assertThat(map).contains("\"start\": " + 2 * MiB + ", \"length\": " + 4 * MiB + ", \"depth\": 0,"
                + " \"present\": true, \"zero\": true, \"data\": false");
    }

    @Test
    void writeZeroesOnARawFileReadsBackAsZeroesAndLeavesNoDataInTheFile() throws Exception {
        Path image = image("raw", SIZE);
        byte[] data = random(8 * MiB, 4);
        try (NbdClient client = serveWritable(image, "raw")) {
            client.write(0, data, 0, data.length);
            client.flush();
            client.writeZeroes(MiB + 512, 6 * MiB);
            client.flush();
        }
        stop();
        byte[] expected = data.clone();
        Arrays.fill(expected, MiB + 512, 7 * MiB + 512, (byte) 0);
        assertThat(Arrays.mismatch(Arrays.copyOf(Files.readAllBytes(image), 8 * MiB), expected)).isEqualTo(-1);
        // qemu-img map asks the file system (SEEK_DATA): every whole 4 KiB block of the range is
        // no longer data (a hole or unwritten extents); the unaligned head was written as zeroes.
        String map = QemuNbd.output(dir, "qemu-img", "map", "--output=json", "-f", "raw", image.toString());
        assertThat(map).contains("\"start\": " + (MiB + 4096) + ", \"length\": " + (6 * MiB - 4096) + ", \"depth\": 0,"
                + " \"present\": true, \"zero\": true, \"data\": false");
    }

    @Test
    void writeZeroesBeyondOneRequestIsSplit() throws Exception {
        long size = 3L << 30;
        Path image = image("qcow2", size);
        byte[] data = random(MiB, 5);
        try (NbdClient client = serveWritable(image, "qcow2")) {
            client.write(size - MiB, data, 0, MiB);
            client.write(0, data, 0, MiB);
            // 2.5 GiB: three requests (1 GiB, 1 GiB, 0.5 GiB), more than a u32 length or an int holds.
            client.writeZeroes(0, size - MiB / 2);
            client.flush();
            byte[] last = new byte[MiB];
            client.read(size - MiB, last, 0, MiB);
            byte[] expected = data.clone();
            Arrays.fill(expected, 0, MiB / 2, (byte) 0);
            assertThat(last).isEqualTo(expected);
            byte[] first = new byte[MiB];
            client.read(0, first, 0, MiB);
            assertThat(first).isEqualTo(new byte[MiB]);
        }
    }

    @Test
    void aReadOnlyExportRefusesWritesWithoutSendingThem() throws Exception {
        Path image = image("raw", SIZE);
        Path socket = dir.resolve("r.sock");
        server = QemuNbd.serveUnix(image, "raw", socket);
        try (NbdClient client = NbdClient.connectUnix(socket, "vda", List.of())) {
            assertThat(client.isReadOnly()).isTrue();
            assertThatThrownBy(() -> client.write(0, new byte[4096], 0, 4096))
                    .isExactlyInstanceOf(java.io.IOException.class).hasMessageContaining("read-only")
                    .hasMessageContaining("nothing was sent");
            assertThatThrownBy(() -> client.writeZeroes(0, 4096))
                    .isExactlyInstanceOf(java.io.IOException.class).hasMessageContaining("read-only");
            // The connection is untouched and still serves reads.
            assertThat(client.isOpen()).isTrue();
            byte[] back = new byte[4096];
            client.read(0, back, 0, back.length);
            assertThat(back).isEqualTo(new byte[4096]);
        }
    }
}
