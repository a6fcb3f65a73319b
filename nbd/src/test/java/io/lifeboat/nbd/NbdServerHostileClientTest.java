package io.lifeboat.nbd;

import static io.lifeboat.nbd.NbdProtocol.CMD_BLOCK_STATUS;
import static io.lifeboat.nbd.NbdProtocol.CMD_FLAG_DF;
import static io.lifeboat.nbd.NbdProtocol.CMD_FLAG_FUA;
import static io.lifeboat.nbd.NbdProtocol.CMD_FLAG_REQ_ONE;
import static io.lifeboat.nbd.NbdProtocol.CMD_FLUSH;
import static io.lifeboat.nbd.NbdProtocol.CMD_READ;
import static io.lifeboat.nbd.NbdProtocol.CMD_TRIM;
import static io.lifeboat.nbd.NbdProtocol.CMD_WRITE;
import static io.lifeboat.nbd.NbdProtocol.CMD_WRITE_ZEROES;
import static io.lifeboat.nbd.NbdProtocol.EINVAL;
import static io.lifeboat.nbd.NbdProtocol.EOVERFLOW;
import static io.lifeboat.nbd.NbdProtocol.EPERM;
import static io.lifeboat.nbd.SparseFileExport.MiB;
import static io.lifeboat.nbd.SparseFileExport.SIZE;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server against clients that misbehave over raw sockets. Each case must end in an error
 * reply or a closed connection, after which a well-behaved client still reads correct data; and
 * when the server closes, no thread or descriptor of it is left.
 */
@Timeout(60)
class NbdServerHostileClientTest {

    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private SparseFileExport vda;
    private NbdServer server;
    private Path socket;
    private ResourceSnapshot resources;

    @BeforeAll
    static void warmUp() throws IOException {
        ResourceSnapshot.warmUpJdkNetworking();
    }

    @BeforeEach
    void start() throws Exception {
        Assumptions.assumeTrue(QemuNbd.toolsAvailable(), "qemu-utils not installed");
        vda = SparseFileExport.create(dir, "vda");
        resources = ResourceSnapshot.take();
        socket = dir.resolve("nbd.sock");
        server = NbdServer.start(NbdServerOptions.unix(socket).withHandshakeTimeout(HANDSHAKE_TIMEOUT), List.of(vda));
    }

    @AfterEach
    void stopAndCheckLeaks() throws Exception {
        if (server != null) {
            server.close();
            resources.assertNothingLeft();
            assertThat(socket).doesNotExist();
        }
        if (vda != null) {
            vda.close();
        }
    }

    /** A well-behaved client gets the right bytes: the server survived whatever came before. */
    private void assertServerStillServes() throws IOException {
        try (NbdClient client = NbdClient.connectUnix(socket, "vda", List.of("base:allocation"))) {
            byte[] b = new byte[128 * 1024];
            client.read(MiB - 32 * 1024, b, 0, b.length);
            assertThat(Arrays.mismatch(b, Arrays.copyOfRange(SparseFileExport.expectedContent(),
                    MiB - 32 * 1024, MiB + 96 * 1024))).isEqualTo(-1);
        }
    }

    private RawNbdPeer peer() throws IOException {
        return RawNbdPeer.connect(socket);
    }

    // --- handshake ---

    @Test
    void garbageInsteadOfClientFlagsClosesTheConnection() throws Exception {
        try (RawNbdPeer peer = peer()) {
            Greeting.read(peer.channel);
            peer.send(ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            assertThat(peer.closedByServer()).isTrue();
        }
        assertServerStillServes();
    }

    @Test
    void badOptionMagicClosesTheConnection() throws Exception {
        try (RawNbdPeer peer = peer().greet()) {
            peer.send(ByteBuffer.allocate(16).putLong(0x1122334455667788L).putInt(NbdProtocol.OPT_GO).putInt(0).flip());
            assertThat(peer.closedByServer()).isTrue();
        }
        assertServerStillServes();
    }

    @Test
    void garbageOptionsGetErrorRepliesAndTheHandshakeGoesOn() throws Exception {
        try (RawNbdPeer peer = peer().greet()) {
            assertThat(peer.option(new OptionRequest(0x4242, ByteBuffer.wrap(new byte[300]))).type())
                    .isEqualTo(NbdProtocol.REP_ERR_UNSUP);
            assertThat(peer.option(OptionRequest.of(NbdProtocol.OPT_STARTTLS)).type()).isEqualTo(NbdProtocol.REP_ERR_POLICY);
            assertThat(peer.option(new OptionRequest(NbdProtocol.OPT_STRUCTURED_REPLY, ByteBuffer.allocate(4))).type())
                    .isEqualTo(NbdProtocol.REP_ERR_INVALID);
            // Meta contexts before structured replies are refused.
            assertThat(peer.option(new MetaContextRequest("vda", List.of("base:allocation"))
                    .toOption(NbdProtocol.OPT_SET_META_CONTEXT)).type()).isEqualTo(NbdProtocol.REP_ERR_INVALID);
            // An export name length that lies about the data.
            assertThat(peer.option(new OptionRequest(NbdProtocol.OPT_GO,
                    ByteBuffer.allocate(8).putInt(1000).putInt(0).flip())).type()).isEqualTo(NbdProtocol.REP_ERR_INVALID);
            assertThat(peer.option(new GoRequest("nope", List.of()).toOption(NbdProtocol.OPT_INFO)).type())
                    .isEqualTo(NbdProtocol.REP_ERR_UNKNOWN);
            assertThat(peer.option(new OptionRequest(NbdProtocol.OPT_LIST, ByteBuffer.allocate(1))).type())
                    .isEqualTo(NbdProtocol.REP_ERR_INVALID);

            // After all that, the same connection lists, describes and enters the export.
            OptionReply server = peer.option(OptionRequest.of(NbdProtocol.OPT_LIST));
            assertThat(server.type()).isEqualTo(NbdProtocol.REP_SERVER);
            assertThat(WireStrings.getPrefixed(server.data().duplicate(), "name")).isEqualTo("vda");
            assertThat(OptionReply.read(peer.channel, NbdProtocol.OPT_LIST).type()).isEqualTo(NbdProtocol.REP_ACK);

            new GoRequest("vda", List.of(NbdProtocol.INFO_NAME, NbdProtocol.INFO_DESCRIPTION, 77))
                    .toOption(NbdProtocol.OPT_INFO).write(peer.channel);
            List<Info> infos = new ArrayList<>();
            OptionReply reply;
            while ((reply = OptionReply.read(peer.channel, NbdProtocol.OPT_INFO)).type() == NbdProtocol.REP_INFO) {
                infos.add(Info.parse(reply.data()));
            }
            assertThat(reply.type()).isEqualTo(NbdProtocol.REP_ACK);
            assertThat(infos).contains(new Info.Name("vda"), new Info.Description("test disk vda"),
                    new Info.BlockSize(1, 4096, 32 * MiB));
            assertThat(infos.get(0)).isInstanceOfSatisfying(Info.Export.class, e -> {
                assertThat(e.size()).isEqualTo(SIZE);
                assertThat(e.transmissionFlags() & NbdProtocol.FLAG_READ_ONLY).isNotZero();
            });

            assertThat(peer.option(OptionRequest.of(NbdProtocol.OPT_STRUCTURED_REPLY)).type()).isEqualTo(NbdProtocol.REP_ACK);
            OptionRequest listAll = new MetaContextRequest("vda", List.of()).toOption(NbdProtocol.OPT_LIST_META_CONTEXT);
            OptionReply context = peer.option(listAll);
            assertThat(MetaContextReply.parse(context.data()).name()).isEqualTo("base:allocation");
            assertThat(OptionReply.read(peer.channel, NbdProtocol.OPT_LIST_META_CONTEXT).type()).isEqualTo(NbdProtocol.REP_ACK);

            new GoRequest("vda", List.of()).toOption(NbdProtocol.OPT_GO).write(peer.channel);
            while ((reply = OptionReply.read(peer.channel, NbdProtocol.OPT_GO)).type() == NbdProtocol.REP_INFO) {
                assertThat(Info.parse(reply.data())).isNotNull();
            }
            assertThat(reply.type()).isEqualTo(NbdProtocol.REP_ACK);
            peer.request(0, CMD_READ, 1, MiB, 4096);
            ReplyHeader.Chunk data = peer.chunk(1);
            assertThat(data.type()).isEqualTo(NbdProtocol.REPLY_TYPE_OFFSET_DATA);
            assertThat(peer.read(data.length()).get(8)).isEqualTo((byte) 0xab);
        }
        assertServerStillServes();
    }

    @Test
    void oversizedOptionClosesTheConnection() throws Exception {
        try (RawNbdPeer peer = peer().greet()) {
            peer.send(ByteBuffer.allocate(16).putLong(NbdProtocol.IHAVEOPT).putInt(NbdProtocol.OPT_GO).putInt(-1).flip());
            assertThat(peer.closedByServer()).isTrue();
        }
        assertServerStillServes();
    }

    @Test
    void abortIsAcknowledgedAndUnknownExportNameCloses() throws Exception {
        try (RawNbdPeer peer = peer().greet()) {
            assertThat(peer.option(OptionRequest.of(NbdProtocol.OPT_ABORT)).type()).isEqualTo(NbdProtocol.REP_ACK);
            assertThat(peer.closedByServer()).isTrue();
        }
        try (RawNbdPeer peer = peer().greet()) {
            new OptionRequest(NbdProtocol.OPT_EXPORT_NAME, ByteBuffer.wrap("nope".getBytes(StandardCharsets.UTF_8)))
                    .write(peer.channel);
            assertThat(peer.closedByServer()).isTrue();
        }
        assertServerStillServes();
    }

    @Test
    void exportNameEntersTransmissionWithSimpleReplies() throws Exception {
        try (RawNbdPeer peer = peer().greet()) {
            new OptionRequest(NbdProtocol.OPT_EXPORT_NAME, ByteBuffer.wrap("vda".getBytes(StandardCharsets.UTF_8)))
                    .write(peer.channel);
            ByteBuffer reply = peer.read(10);
            assertThat(reply.getLong()).isEqualTo(SIZE);
            assertThat(reply.getShort() & NbdProtocol.FLAG_READ_ONLY).isNotZero();
            peer.request(0, CMD_READ, 9, SIZE - 4096, 4096);
            assertThat(peer.simpleReply(9).error()).isZero();
            assertThat(peer.read(4096).get(4095)).isEqualTo((byte) 0x5a);
        }
        assertServerStillServes();
    }

    @Test
    void silentClientIsDroppedAfterTheHandshakeTimeout() throws Exception {
        try (RawNbdPeer peer = peer()) {
            Greeting.read(peer.channel);
            // Say nothing more: the server hangs up once the handshake deadline has passed.
            assertThat(peer.closedByServer()).isTrue();
        }
        awaitNoConnections();
        assertServerStillServes();
    }

    @Test
    void disconnectsInTheMiddleOfAHandshakeOrARequestAreAbsorbed() throws Exception {
        try (RawNbdPeer peer = peer().greet()) {
            peer.send(ByteBuffer.allocate(10).putLong(NbdProtocol.IHAVEOPT).putShort((short) 0).flip());
        }
        try (RawNbdPeer peer = peer().enter("vda", true)) {
            peer.send(ByteBuffer.allocate(12).putInt(NbdProtocol.REQUEST_MAGIC).putInt(0).putInt(7).flip());
        }
        try (RawNbdPeer peer = peer().enter("vda", false)) {
            // Ask for 32 MiB and leave without reading the reply.
            peer.request(0, CMD_READ, 1, 0, 32 * MiB);
        }
        awaitNoConnections();
        assertServerStillServes();
    }

    // --- transmission ---

    @Test
    void badRequestMagicClosesTheConnection() throws Exception {
        try (RawNbdPeer peer = peer().enter("vda", true)) {
            peer.send(ByteBuffer.allocate(Request.SIZE).putInt(0, 0x12345678));
            assertThat(peer.closedByServer()).isTrue();
        }
        assertServerStillServes();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void invalidRequestsGetErrorsAndTheConnectionGoesOn(boolean structured) throws Exception {
        try (RawNbdPeer peer = peer().enter("vda", structured)) {
            long cookie = 100;
            expectError(peer, structured, 0, CMD_READ, ++cookie, SIZE - 512, 1024, EINVAL);
            expectError(peer, structured, 0, CMD_READ, ++cookie, Long.MIN_VALUE, 4096, EINVAL);
            expectError(peer, structured, 0, CMD_READ, ++cookie, SIZE, 1, EINVAL);
            expectError(peer, structured, 0, CMD_READ, ++cookie, 0, 0, EINVAL);
            // 4 GiB - 1: refused from the header alone, nothing of that size is allocated.
            expectError(peer, structured, 0, CMD_READ, ++cookie, 0, -1, structured ? EOVERFLOW : EINVAL);
            expectError(peer, structured, 0, CMD_READ, ++cookie, 0, 32 * MiB + 1, structured ? EOVERFLOW : EINVAL);
            expectError(peer, structured, CMD_FLAG_FUA, CMD_READ, ++cookie, 0, 4096, EINVAL);
            expectError(peer, structured, 0, 99, ++cookie, 0, 4096, EINVAL);
            expectError(peer, structured, 0, NbdProtocol.CMD_CACHE, ++cookie, 0, 4096, EINVAL);
            expectError(peer, structured, 0, CMD_TRIM, ++cookie, 0, 4096, EPERM);
            expectError(peer, structured, 0, CMD_WRITE_ZEROES, ++cookie, 0, 4096, EPERM);
            if (!structured) {
                expectError(peer, false, 0, CMD_BLOCK_STATUS, ++cookie, 0, 4096, EINVAL);
                expectError(peer, false, CMD_FLAG_DF, CMD_READ, ++cookie, 0, 4096, EINVAL);
            }
            // A write's payload is consumed, so the stream stays in step.
            peer.request(0, CMD_WRITE, ++cookie, MiB, 4096);
            peer.send(ByteBuffer.allocate(4096));
            expectReply(peer, structured, cookie, EPERM);

            peer.request(0, CMD_FLUSH, ++cookie, 0, 0);
            assertThat(peer.simpleReply(cookie).error()).isZero();
            peer.request(0, CMD_READ, ++cookie, MiB, 4096);
            assertThat(readData(peer, structured, cookie, MiB, 4096).get(0)).isEqualTo((byte) 0xab);
        }
        assertThat(server.statistics("vda").errors()).isEqualTo(structured ? 12 : 14);
        assertServerStillServes();
    }

    @Test
    void hugeWriteIsRefusedAndTheConnectionClosed() throws Exception {
        try (RawNbdPeer peer = peer().enter("vda", true)) {
            peer.request(0, CMD_WRITE, 5, 0, -1);
            assertThat(peer.errorChunk(5)).isEqualTo(EOVERFLOW);
            assertThat(peer.closedByServer()).isTrue();
        }
        assertServerStillServes();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawNbdPeer peer = peer().enter("vda", false)) {
            ByteBuffer all = ByteBuffer.allocate(3 * Request.SIZE)
                    .put(new Request(0, CMD_READ, 1, MiB, 4096).encode())
                    .put(new Request(0, CMD_READ, 2, 5L * MiB, 4096).encode())
                    .put(new Request(0, CMD_READ, 3, SIZE, 4096).encode()).flip();
            peer.send(all);
            assertThat(peer.simpleReply(1).error()).isZero();
            assertThat(peer.read(4096).get(0)).isEqualTo((byte) 0xab);
            assertThat(peer.simpleReply(2).error()).isZero();
            assertThat(peer.read(4096).get(0)).isEqualTo((byte) 0xcd);
            assertThat(peer.simpleReply(3).error()).isEqualTo(EINVAL);
        }
        assertServerStillServes();
    }

    @Test
    void dontFragmentSendsOneDataChunkEvenOverHoles() throws Exception {
        try (RawNbdPeer peer = peer().enter("vda", true)) {
            int length = 2 * MiB;
            peer.request(CMD_FLAG_DF, CMD_READ, 4, 0, length);
            ReplyHeader.Chunk chunk = peer.chunk(4);
            assertThat(chunk.type()).isEqualTo(NbdProtocol.REPLY_TYPE_OFFSET_DATA);
            assertThat(chunk.done()).isTrue();
            assertThat(chunk.length()).isEqualTo(8 + length);
            ByteBuffer payload = peer.read(chunk.length());
            assertThat(payload.getLong()).isZero();
            byte[] data = new byte[length];
            payload.get(data);
            assertThat(data).isEqualTo(Arrays.copyOf(SparseFileExport.expectedContent(), length));

            // Without DF the same range comes as hole, data, hole.
            peer.request(0, CMD_READ, 5, 0, length);
            List<Integer> types = new ArrayList<>();
            ReplyHeader.Chunk c;
            do {
                c = peer.chunk(5);
                types.add(c.type());
                peer.read(c.length());
            } while (!c.done());
            assertThat(types).containsExactly(NbdProtocol.REPLY_TYPE_OFFSET_HOLE, NbdProtocol.REPLY_TYPE_OFFSET_DATA,
                    NbdProtocol.REPLY_TYPE_OFFSET_HOLE);
        }
    }

    @Test
    void blockStatusWithReqOneAnswersOneExtentAndRangesAreChecked() throws Exception {
        try (RawNbdPeer peer = peer().enter("vda", true)) {
            peer.request(CMD_FLAG_REQ_ONE, CMD_BLOCK_STATUS, 6, 0, 8 * MiB);
            ReplyHeader.Chunk chunk = peer.chunk(6);
            assertThat(chunk.type()).isEqualTo(NbdProtocol.REPLY_TYPE_BLOCK_STATUS);
            BlockStatusPayload status = BlockStatusPayload.parse(peer.read(chunk.length()), 0);
            assertThat(status.contextId()).isEqualTo(ServerHandshake.BASE_ALLOCATION_ID);
            assertThat(status.extents()).containsExactly(new Extent(0, MiB, Extent.NBD_STATE_HOLE | Extent.NBD_STATE_ZERO));

            peer.request(0, CMD_BLOCK_STATUS, 7, SIZE - 4096, 8192);
            assertThat(peer.errorChunk(7)).isEqualTo(EINVAL);
            peer.request(0, CMD_BLOCK_STATUS, 8, 0, 0);
            assertThat(peer.errorChunk(8)).isEqualTo(EINVAL);
        }
        try (RawNbdPeer peer = peer().greet()) {
            // Structured replies but no meta context: block status is refused.
            assertThat(peer.option(OptionRequest.of(NbdProtocol.OPT_STRUCTURED_REPLY)).type()).isEqualTo(NbdProtocol.REP_ACK);
            new GoRequest("vda", List.of()).toOption(NbdProtocol.OPT_GO).write(peer.channel);
            while (OptionReply.read(peer.channel, NbdProtocol.OPT_GO).type() == NbdProtocol.REP_INFO) {
                assertThat(peer.channel.isOpen()).isTrue();
            }
            peer.request(0, CMD_BLOCK_STATUS, 9, 0, 4096);
            assertThat(peer.errorChunk(9)).isEqualTo(EINVAL);
        }
        assertServerStillServes();
    }

    @Test
    void manyConnectionsAtOnceEachGetServed() throws Exception {
        int clients = 24;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<RawNbdPeer> idle = new ArrayList<>();
        try {
            // Half sit in the handshake, half hammer reads; a good client still gets through.
            for (int i = 0; i < clients / 2; i++) {
                idle.add(peer());
            }
            byte[] expected = SparseFileExport.expectedContent();
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < clients / 2; i++) {
                int start = i * MiB;
                results.add(pool.submit(() -> {
                    try (NbdClient client = NbdClient.connectUnix(socket, "vda", List.of())) {
                        byte[] b = new byte[4 * MiB];
                        client.read(start, b, 0, b.length);
                        return Arrays.mismatch(b, Arrays.copyOfRange(expected, start, start + b.length)) == -1;
                    }
                }));
            }
            assertServerStillServes();
            for (Future<Boolean> r : results) {
                assertThat(r.get(60, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            for (RawNbdPeer p : idle) {
                p.close();
            }
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(server.statistics("vda").connections()).isEqualTo(clients / 2 + 1);
        assertServerStillServes();
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAtOnce() throws Exception {
        server.close();
        resources.assertNothingLeft();
        server = NbdServer.start(NbdServerOptions.unix(socket).withMaxConnections(2), List.of(vda));
        try (RawNbdPeer first = peer(); RawNbdPeer second = peer()) {
            Greeting.read(first.channel);
            Greeting.read(second.channel);
            try (RawNbdPeer third = peer()) {
                assertThat(third.closedByServer()).isTrue();
            }
            assertThat(server.connectionsRefused()).isEqualTo(1);
        }
        awaitNoConnections();
        assertServerStillServes();
    }

    @Test
    void closeEndsConnectionsInEveryPhase() throws Exception {
        try (RawNbdPeer handshaking = peer();
             RawNbdPeer transmitting = peer().enter("vda", true);
             NbdClient client = NbdClient.connectUnix(socket, "vda", List.of())) {
            Greeting.read(handshaking.channel);
            awaitCondition(() -> server.activeConnections() == 3, "three connections");
            server.close();
            assertThat(handshaking.closedByServer()).isTrue();
            assertThat(transmitting.closedByServer()).isTrue();
            assertThat(server.activeConnections()).isZero();
        }
    }

    private static void expectError(RawNbdPeer peer, boolean structured, int flags, int type, long cookie,
                                    long offset, int length, int error) throws IOException {
        peer.request(flags, type, cookie, offset, length);
        expectReply(peer, structured, cookie, error);
    }

    private static void expectReply(RawNbdPeer peer, boolean structured, long cookie, int error) throws IOException {
        if (structured) {
            assertThat(peer.errorChunk(cookie)).isEqualTo(error);
        } else {
            assertThat(peer.simpleReply(cookie).error()).isEqualTo(error);
        }
    }

    private static ByteBuffer readData(RawNbdPeer peer, boolean structured, long cookie, long offset, int length)
            throws IOException {
        if (!structured) {
            assertThat(peer.simpleReply(cookie).error()).isZero();
            return peer.read(length);
        }
        ReplyHeader.Chunk chunk = peer.chunk(cookie);
        assertThat(chunk.type()).isEqualTo(NbdProtocol.REPLY_TYPE_OFFSET_DATA);
        assertThat(chunk.done()).isTrue();
        ByteBuffer payload = peer.read(chunk.length());
        assertThat(payload.getLong()).isEqualTo(offset);
        return payload.slice();
    }

    private void awaitNoConnections() throws InterruptedException {
        awaitCondition(() -> server.activeConnections() == 0, "all connections closed");
    }

    private static void awaitCondition(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waiting for " + what).isNegative();
            Thread.sleep(10);
        }
    }
}
