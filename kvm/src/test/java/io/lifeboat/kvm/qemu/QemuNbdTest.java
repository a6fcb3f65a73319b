package io.lifeboat.kvm.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.nbd.Extent;
import io.lifeboat.nbd.NbdClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** qemu-nbd serving an existing qcow2 writable, then read-only with the persistent bitmap that saw the writes. */
@Timeout(120)
class QemuNbdTest {
    private static final int MIB = 1 << 20;
    private static final long SIZE = 64L * MIB;
    private static final String DIRTY = "qemu:dirty-bitmap:b0";

    @TempDir
    Path dir;

    private Path qcow2WithBitmap() throws Exception {
        Path image = dir.resolve("vm.qcow2");
        run("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), Long.toString(SIZE));
        run("qemu-img", "bitmap", "--add", "--enable", image.toString(), "b0");
        return image;
    }

    private void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("cmd.log").toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + Files.readString(dir.resolve("cmd.log"))).isZero();
    }

    private static QemuNbd.Served<NbdClient> serve(Path image, Path dir, QemuNbd.Options options, List<String> contexts)
            throws IOException {
        return QemuNbd.serve(image, "qcow2", dir, options,
                (socket, export) -> NbdClient.connectUnix(socket, export, contexts));
    }

    @Test
    void writesThroughAWritableServerAreExactlyWhatThePersistentBitmapReportsDirty() throws Exception {
        Path image = qcow2WithBitmap();
        Object inode = Files.readAttributes(image, BasicFileAttributes.class).fileKey();
        byte[] data = new byte[3 * MIB];
        new Random(7).nextBytes(data);

        QemuNbd.Served<NbdClient> writable = serve(image, dir.resolve("w"), new QemuNbd.Options(true, null), List.of());
        try (QemuNbd server = writable.server(); NbdClient client = writable.client()) {
            assertThat(client.isReadOnly()).isFalse();
            client.write(8L * MIB, data, 0, data.length);
            client.writeZeroes(40L * MIB, MIB);
            client.flush();
        }
        assertThat(Files.exists(dir.resolve("w"))).isFalse();
        assertThat(Files.readAttributes(image, BasicFileAttributes.class).fileKey()).isEqualTo(inode);

        QemuNbd.Served<NbdClient> reader = serve(image, dir.resolve("r"), new QemuNbd.Options(false, "b0"),
                List.of(DIRTY));
        try (QemuNbd server = reader.server(); NbdClient client = reader.client()) {
            assertThat(client.isReadOnly()).isTrue();
            List<Extent> dirty = client.blockStatus(DIRTY, 0, SIZE).stream()
                    .filter(e -> e.has(Extent.NBD_STATE_DIRTY)).toList();
            assertThat(dirty).containsExactly(new Extent(8L * MIB, 3 * MIB, Extent.NBD_STATE_DIRTY),
                    new Extent(40L * MIB, MIB, Extent.NBD_STATE_DIRTY));
            byte[] back = new byte[data.length];
            client.read(8L * MIB, back, 0, back.length);
            assertThat(Arrays.equals(back, data)).isTrue();
            assertThatThrownBy(() -> client.write(0, data, 0, 512)).hasMessageContaining("read-only");
        }
    }

    @Test
    void theOldServeIsReadOnlyWithoutBitmap() throws Exception {
        Path image = qcow2WithBitmap();
        QemuNbd.Served<NbdClient> served = QemuNbd.serve(image, "qcow2", dir.resolve("r"),
                (socket, export) -> NbdClient.connectUnix(socket, export, List.of(DIRTY)));
        try (QemuNbd server = served.server(); NbdClient client = served.client()) {
            assertThat(client.isReadOnly()).isTrue();
            assertThat(client.contextId(DIRTY)).isEmpty();
        }
        assertThat(QemuNbd.Options.READ_ONLY).isEqualTo(new QemuNbd.Options(false, null));
    }

    @Test
    void aBitmapTheImageDoesNotHaveIsAClearErrorCarryingQemuNbdsMessage() throws Exception {
        Path image = qcow2WithBitmap();
        assertThatThrownBy(() -> serve(image, dir.resolve("r"), new QemuNbd.Options(false, "nope"), List.of(DIRTY)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(image.toString())
                .hasMessageContaining("Bitmap 'nope' is not found");
        assertThat(Files.exists(dir.resolve("r"))).isFalse();
        assertThatThrownBy(() -> new QemuNbd.Options(false, "")).isInstanceOf(IllegalArgumentException.class);
    }
}
