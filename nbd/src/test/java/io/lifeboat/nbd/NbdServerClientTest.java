package io.lifeboat.nbd;

import static io.lifeboat.nbd.SparseFileExport.MiB;
import static io.lifeboat.nbd.SparseFileExport.SIZE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The server against this module's own client: structured reads over holes, block status, errors, counters. */
@Timeout(120)
class NbdServerClientTest {

    private static final String BASE = "base:allocation";

    @TempDir
    Path dir;

    private SparseFileExport vda;
    private NbdServer server;

    @BeforeEach
    void start() throws Exception {
        Assumptions.assumeTrue(QemuNbd.toolsAvailable(), "qemu-utils not installed");
        vda = SparseFileExport.create(dir, "vda");
        server = NbdServer.start(NbdServerOptions.unix(dir.resolve("nbd.sock")).withTcpPort(0), List.of(vda));
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

    private NbdClient connect(List<String> contexts) throws IOException {
        return NbdClient.connectUnix(server.unixSocket().orElseThrow(), "vda", contexts);
    }

    @Test
    void wholeExportReadsBackExactlyWithStructuredReplies() throws Exception {
        byte[] expected = SparseFileExport.expectedContent();
        try (NbdClient client = connect(List.of(BASE))) {
            assertThat(client.size()).isEqualTo(SIZE);
            assertThat(client.isReadOnly()).isTrue();
            assertThat(client.structuredReplies()).isTrue();
            assertThat(client.maxReadRequest()).isEqualTo(32 * MiB);

            byte[] whole = new byte[(int) SIZE];
            client.read(0, whole, 0, whole.length);
            assertThat(Arrays.mismatch(whole, expected)).isEqualTo(-1);

            // Unaligned, spanning data, holes and the boundary between two requests.
            int offset = MiB - 123;
            int length = 40 * MiB + 4097;
            ByteBuffer part = ByteBuffer.allocateDirect(length);
            client.read(offset, part);
            byte[] got = new byte[length];
            part.flip().get(got);
            assertThat(Arrays.mismatch(got, Arrays.copyOfRange(expected, offset, offset + length))).isEqualTo(-1);
        }
        ExportStatistics stats = server.statistics("vda");
        assertThat(stats.bytesRead()).isEqualTo(SIZE + 40L * MiB + 4097);
        // Holes went as holes: only patterns (plus the unaligned edges of a read) were sent as data.
        long patternBytes = Arrays.stream(SparseFileExport.PATTERNS).mapToLong(p -> p[1]).sum();
        assertThat(stats.dataBytes()).isLessThan(2 * patternBytes + 1).isGreaterThanOrEqualTo(patternBytes);
        assertThat(stats.connections()).isEqualTo(1);
        assertThat(stats.errors()).isZero();
    }

    @Test
    void blockStatusIsTheExportsAllocation() throws Exception {
        try (NbdClient client = connect(List.of(BASE))) {
            assertThat(client.contextId(BASE)).isPresent();
            assertThat(client.blockStatus(BASE, 0, SIZE)).isEqualTo(vda.allocation());
            assertThat(client.blockStatus(BASE, MiB + 4096, 64 * 1024)).containsExactly(
                    new Extent(MiB + 4096, 60 * 1024, 0),
                    new Extent(MiB + 64 * 1024, 4096, Extent.NBD_STATE_HOLE | Extent.NBD_STATE_ZERO));
        }
    }

    @Test
    void tcpOnLoopbackServesTheSameBytes() throws Exception {
        byte[] expected = SparseFileExport.expectedContent();
        try (NbdClient client = NbdClient.connectTcp("127.0.0.1", server.tcpPort().orElseThrow(), "vda", List.of())) {
            byte[] data = new byte[8 * MiB];
            client.read(0, data, 0, data.length);
            assertThat(Arrays.mismatch(data, Arrays.copyOf(expected, data.length))).isEqualTo(-1);
        }
    }

    @Test
    void unknownExportIsRefusedWithErrUnknown() {
        assertThatThrownBy(() -> NbdClient.connectUnix(server.unixSocket().orElseThrow(), "nope", List.of()))
                .isInstanceOfSatisfying(NbdServerException.class, e -> {
                    assertThat(e.request()).isEqualTo("NBD_OPT_GO");
                    assertThat(e.error()).isEqualTo("NBD_REP_ERR_UNKNOWN");
                    assertThat(e).hasMessageContaining("no export named 'nope'");
                });
    }

    @Test
    void exportsComeAndGoWhileServing() throws Exception {
        try (SparseFileExport vdb = SparseFileExport.create(dir, "vdb")) {
            server.addExport(vdb);
            assertThat(server.exportNames()).containsExactly("vda", "vdb");
            assertThatThrownBy(() -> server.addExport(vdb)).isInstanceOf(IllegalArgumentException.class);
            try (NbdClient client = NbdClient.connectUnix(server.unixSocket().orElseThrow(), "vdb", List.of())) {
                assertThat(server.removeExport("vdb")).isTrue();
                // A connection already serving a removed export goes on.
                byte[] b = new byte[4096];
                client.read(MiB, b, 0, b.length);
                assertThat(b[0]).isEqualTo((byte) 0xab);
            }
            assertThatThrownBy(() -> NbdClient.connectUnix(server.unixSocket().orElseThrow(), "vdb", List.of()))
                    .isInstanceOf(NbdServerException.class);
            assertThat(server.statistics("vdb").bytesRead()).isEqualTo(4096);
        }
    }
}
