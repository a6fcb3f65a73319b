package io.lifeboat.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The client against a real qemu-nbd serving images written with qemu-io. */
@Timeout(120)
class NbdClientQemuTest {

    private static final int MiB = 1 << 20;
    private static final int SIZE = 64 * MiB;
    private static final String BASE = "base:allocation";
    private static final String BITMAP = "qemu:dirty-bitmap:bm0";

    @TempDir
    Path dir;

    private QemuNbd server;

    @BeforeEach
    void requireQemu() {
        Assumptions.assumeTrue(QemuNbd.toolsAvailable(), "qemu-nbd not installed");
    }

    @AfterEach
    void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** Patterns, an explicit zero write, holes, and data across the 32 MiB request boundary and at the end. */
    private Path image(String format) throws Exception {
        Path image = dir.resolve("disk." + format);
        QemuNbd.run(dir, "qemu-img", "create", "-q", "-f", format, image.toString(), String.valueOf(SIZE));
        QemuNbd.run(dir, "qemu-io", "-f", format, image.toString(),
                "-c", "write -P 0xab 1M 64k",
                "-c", "write -P 0xcd 5M 3M",
                "-c", "write -z 10M 1M",
                "-c", "write -P 0x11 28M 20M",
                "-c", "write -P 0x5a " + (SIZE - 4096) + " 4k");
        return image;
    }

    private static byte[] expectedContent() {
        byte[] disk = new byte[SIZE];
        Arrays.fill(disk, MiB, MiB + 64 * 1024, (byte) 0xab);
        Arrays.fill(disk, 5 * MiB, 8 * MiB, (byte) 0xcd);
        Arrays.fill(disk, 28 * MiB, 48 * MiB, (byte) 0x11);
        Arrays.fill(disk, SIZE - 4096, SIZE, (byte) 0x5a);
        return disk;
    }

    private NbdClient serveUnix(Path image, String format, List<String> contexts, String... extra) throws Exception {
        Path socket = dir.resolve("s.sock");
        server = QemuNbd.serveUnix(image, format, socket, extra);
        return NbdClient.connectUnix(socket, "vda", contexts);
    }

    @Test
    void readsQcow2OverUnixSocket() throws Exception {
        byte[] expected = expectedContent();
        try (NbdClient client = serveUnix(image("qcow2"), "qcow2", List.of(BASE))) {
            assertThat(client.size()).isEqualTo(SIZE);
            assertThat(client.isReadOnly()).isTrue();
            assertThat(client.structuredReplies()).isTrue();

            byte[] small = new byte[128 * 1024];
            client.read(MiB - 32 * 1024, small, 0, small.length);
            assertThat(small).isEqualTo(Arrays.copyOfRange(expected, MiB - 32 * 1024, MiB + 96 * 1024));

            ByteBuffer direct = ByteBuffer.allocateDirect(4096);
            client.read(SIZE - 4096, direct);
            assertThat(direct.hasRemaining()).isFalse();
            assertThat(direct.get(0)).isEqualTo((byte) 0x5a);
        }
    }

    @Test
    void largeReadsAreSplitAtTheServersMaximum() throws Exception {
        byte[] expected = expectedContent();
        try (NbdClient client = serveUnix(image("qcow2"), "qcow2", List.of())) {
            assertThat(client.maxReadRequest()).isEqualTo(32 * MiB);

            byte[] whole = new byte[SIZE];
            client.read(0, whole, 0, SIZE);
            assertThat(Arrays.mismatch(whole, expected)).isEqualTo(-1);

            // Unaligned, spanning the boundary between two requests.
            int offset = 31 * MiB + 123;
            int length = 32 * MiB + 4097;
            ByteBuffer part = ByteBuffer.allocate(length);
            client.read(offset, part);
            assertThat(Arrays.mismatch(part.array(), Arrays.copyOfRange(expected, offset, offset + length)))
                    .isEqualTo(-1);
        }
    }

    @Test
    void allocationMatchesQemuImgMap() throws Exception {
        Path image = image("qcow2");
        List<Extent> expected = mapExtents(image, "qcow2");
        try (NbdClient client = serveUnix(image, "qcow2", List.of(BASE))) {
            assertThat(client.contextId(BASE)).isPresent();
            assertThat(client.blockStatus(BASE, 0, SIZE)).isEqualTo(expected);
            // A sub-range: the extents are clipped to it exactly.
            List<Extent> window = client.blockStatus(BASE, MiB + 4096, 64 * 1024);
            assertThat(window).containsExactly(new Extent(MiB + 4096, 60 * 1024, 0),
                    new Extent(MiB + 64 * 1024, 4096, Extent.NBD_STATE_HOLE | Extent.NBD_STATE_ZERO));
        }
    }

    @Test
    void readsRawImageOverTcp() throws Exception {
        Path image = image("raw");
        List<Extent> expectedMap = mapExtents(image, "raw");
        byte[] expected = expectedContent();
        int port = QemuNbd.freeLoopbackPort();
        server = QemuNbd.serveTcp(image, "raw", port);
        try (NbdClient client = NbdClient.connectTcp("127.0.0.1", port, "vda", List.of(BASE))) {
            byte[] data = new byte[12 * MiB];
            client.read(0, data, 0, data.length);
            assertThat(Arrays.mismatch(data, Arrays.copyOf(expected, data.length))).isEqualTo(-1);
            assertThat(client.blockStatus(BASE, 0, SIZE)).isEqualTo(expectedMap);
        }
    }

    @Test
    void dirtyBitmapShowsExactlyTheWritesMadeAfterItWasAdded() throws Exception {
        Path image = dir.resolve("disk.qcow2");
        String file = image.toString();
        QemuNbd.run(dir, "qemu-img", "create", "-q", "-f", "qcow2", file, String.valueOf(SIZE));
        QemuNbd.run(dir, "qemu-io", "-f", "qcow2", file, "-c", "write -P 0xab 1M 64k");
        QemuNbd.run(dir, "qemu-img", "bitmap", "--add", "--enable", file, "bm0");
        QemuNbd.run(dir, "qemu-io", "-f", "qcow2", file,
                "-c", "write -P 0x22 8M 128k", "-c", "write -P 0x33 20M 64k", "-c", "write -z 30M 1M");

        try (NbdClient client = serveUnix(image, "qcow2", List.of(BASE, BITMAP), "-B", "bm0")) {
            assertThat(client.contextId(BITMAP)).isPresent();
            assertThat(client.contextId(BASE)).isPresent().isNotEqualTo(client.contextId(BITMAP));

            List<Extent> dirty = client.blockStatus(BITMAP, 0, SIZE).stream()
                    .filter(e -> e.has(Extent.NBD_STATE_DIRTY)).toList();
            assertThat(dirty).containsExactly(
                    new Extent(8 * MiB, 128 * 1024, Extent.NBD_STATE_DIRTY),
                    new Extent(20 * MiB, 64 * 1024, Extent.NBD_STATE_DIRTY),
                    new Extent(30 * MiB, MiB, Extent.NBD_STATE_DIRTY));

            // The same replies also carry base:allocation, which must be told apart by context id.
            assertThat(client.blockStatus(BASE, MiB, 64 * 1024)).containsExactly(new Extent(MiB, 64 * 1024, 0));
        }
    }

    @Test
    void unknownExportIsAClearError() throws Exception {
        Path socket = dir.resolve("s.sock");
        server = QemuNbd.serveUnix(image("qcow2"), "qcow2", socket);
        assertThatThrownBy(() -> NbdClient.connectUnix(socket, "nope", List.of()))
                .isInstanceOfSatisfying(NbdServerException.class, e -> {
                    assertThat(e.request()).isEqualTo("NBD_OPT_GO");
                    assertThat(e.error()).isEqualTo("NBD_REP_ERR_UNKNOWN");
                    assertThat(e).hasMessageContaining("'nope'");
                });
    }

    @Test
    void unnegotiatedContextIsRejectedBeforeTouchingTheWire() throws Exception {
        try (NbdClient client = serveUnix(image("qcow2"), "qcow2", List.of(BASE, "qemu:dirty-bitmap:missing"))) {
            assertThat(client.contextId("qemu:dirty-bitmap:missing")).isEmpty();
            assertThatThrownBy(() -> client.blockStatus("qemu:dirty-bitmap:missing", 0, SIZE))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not negotiated");
            assertThat(client.blockStatus(BASE, 0, 4096)).hasSize(1);
        }
    }

    @Test
    void concurrentReadersShareOneConnection() throws Exception {
        byte[] expected = expectedContent();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (NbdClient client = serveUnix(image("qcow2"), "qcow2", List.of())) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int start = t * 16 * MiB;
                results.add(pool.submit(() -> {
                    byte[] buf = new byte[MiB];
                    for (int off = start; off < start + 16 * MiB; off += MiB) {
                        client.read(off, buf, 0, MiB);
                        if (Arrays.mismatch(buf, Arrays.copyOfRange(expected, off, off + MiB)) != -1) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> r : results) {
                assertThat(r.get(60, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void closedClientRefusesFurtherRequests() throws Exception {
        NbdClient client = serveUnix(image("qcow2"), "qcow2", List.of());
        client.close();
        client.close();
        assertThat(client.isOpen()).isFalse();
        assertThatThrownBy(() -> client.read(0, new byte[512], 0, 512))
                .isInstanceOf(java.nio.channels.ClosedChannelException.class);
    }

    private static final Pattern MAP_ENTRY = Pattern.compile(
            "\"start\": (\\d+), \"length\": (\\d+),.*?\"zero\": (true|false), \"data\": (true|false)");

    /** qemu-img's view of allocation, as base:allocation flags, neighbours of equal flags merged. */
    private List<Extent> mapExtents(Path image, String format) throws Exception {
        String json = QemuNbd.output(dir, "qemu-img", "map", "--output=json", "-f", format, image.toString());
        List<Extent> extents = new ArrayList<>();
        Matcher m = MAP_ENTRY.matcher(json);
        while (m.find()) {
            int flags = (Boolean.parseBoolean(m.group(4)) ? 0 : Extent.NBD_STATE_HOLE)
                    | (Boolean.parseBoolean(m.group(3)) ? Extent.NBD_STATE_ZERO : 0);
            NbdClient.appendMerged(extents, new Extent(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), flags));
        }
        assertThat(extents).isNotEmpty();
        assertThat(extents.get(extents.size() - 1).end()).isEqualTo(SIZE);
        return extents;
    }
}
