package io.lifeboat.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against a scripted in-test server that misbehaves in one way per test: every failure
 * must be a clear exception within the timeout, with the connection closed and nothing leaked.
 */
@Timeout(30)
class NbdClientBrokenServerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final long SIZE = 1 << 20;
    private static final String BASE = "base:allocation";
    private static final String BITMAP = "qemu:dirty-bitmap:bm0";
    private static final Map<String, Integer> CONTEXTS = Map.of(BASE, 7, BITMAP, 9);

    @TempDir
    Path dir;

    private FakeNbdServer server;
    private ResourceSnapshot resources;

    @BeforeAll
    static void warmUpJdkNetworking() throws IOException {
        ResourceSnapshot.warmUpJdkNetworking();
    }

    @BeforeEach
    void snapshotResources() throws IOException {
        resources = ResourceSnapshot.take();
    }

    @AfterEach
    void noLeaks() throws Exception {
        if (server != null) {
            server.close();
        }
        resources.assertNothingLeft();
    }

    private NbdClient connect(FakeNbdServer.Script script, List<String> contexts) throws IOException {
        server = new FakeNbdServer(dir, script);
        return NbdClient.connectUnix(server.socket(), "vda", contexts, TIMEOUT);
    }

    private void expectHandshakeFailure(FakeNbdServer.Script script, Class<? extends IOException> type,
                                        String message) throws Exception {
        assertThatThrownBy(() -> connect(script, List.of(BASE)))
                .isInstanceOf(type).hasMessageContaining(message);
        server.finishAfterClientGaveUp();
    }

    // --- handshake ---

    @Test
    void badGreetingMagic() throws Exception {
        expectHandshakeFailure(peer -> {
            peer.send(ByteBuffer.wrap("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            peer.expectClosedByClient();
        }, NbdProtocolException.class, "bad greeting magic");
    }

    @Test
    void badOptionMagicAfterGreeting() throws Exception {
        expectHandshakeFailure(peer -> {
            peer.send(ByteBuffer.allocate(Greeting.SIZE).putLong(NbdProtocol.NBDMAGIC).putLong(0x1234)
                    .putShort((short) 1).flip());
            peer.expectClosedByClient();
        }, NbdProtocolException.class, "expected IHAVEOPT");
    }

    @Test
    void greetingCutShort() throws Exception {
        expectHandshakeFailure(peer -> peer.send(ByteBuffer.allocate(10).putLong(NbdProtocol.NBDMAGIC).putShort((short) 0x4948).flip()),
                NbdProtocolException.class, "closed by the peer while reading server greeting (got 10 of 18 bytes)");
    }

    @Test
    void serverWithoutFixedNewstyle() throws Exception {
        expectHandshakeFailure(peer -> {
            new Greeting(0).write(peer.channel);
            peer.expectClosedByClient();
        }, NbdProtocolException.class, "fixed newstyle");
    }

    @Test
    void optionReplyOverTheLengthCap() throws Exception {
        expectHandshakeFailure(peer -> {
            peer.greet();
            OptionRequest option = OptionRequest.read(peer.channel, 1024);
            peer.send(ByteBuffer.allocate(OptionReply.HEADER_SIZE).putLong(NbdProtocol.OPTION_REPLY_MAGIC)
                    .putInt(option.option()).putInt(NbdProtocol.REP_ACK).putInt(1 << 20).flip());
            peer.expectClosedByClient();
        }, NbdProtocolException.class, "has length 1048576, over the limit of 65536");
    }

    @Test
    void optionReplyForAnotherOption() throws Exception {
        expectHandshakeFailure(peer -> {
            peer.greet();
            OptionRequest.read(peer.channel, 1024);
            new OptionReply(NbdProtocol.OPT_LIST, NbdProtocol.REP_ACK, ByteBuffer.allocate(0)).write(peer.channel);
            peer.expectClosedByClient();
        }, NbdProtocolException.class, "answered NBD_OPT_LIST while NBD_OPT_STRUCTURED_REPLY was pending");
    }

    @Test
    void goRefusedNamesOptionErrorAndExport() throws Exception {
        server = new FakeNbdServer(dir, peer -> {
            OptionRequest go = peer.negotiateUntilGo(true, CONTEXTS);
            peer.reply(go, NbdProtocol.REP_ERR_POLICY, ByteBuffer.wrap("not for you".getBytes(StandardCharsets.UTF_8)));
            peer.expectClosedByClient();
        });
        assertThatThrownBy(() -> NbdClient.connectUnix(server.socket(), "vda", List.of(), TIMEOUT))
                .isInstanceOfSatisfying(NbdServerException.class, e -> {
                    assertThat(e.request()).isEqualTo("NBD_OPT_GO");
                    assertThat(e.error()).isEqualTo("NBD_REP_ERR_POLICY");
                    assertThat(e).hasMessage("NBD_OPT_GO failed: NBD_REP_ERR_POLICY (export 'vda': not for you)");
                });
        server.finish();
    }

    @Test
    void optionRepliesThatNeverEnd() throws Exception {
        expectHandshakeFailure(peer -> {
            OptionRequest go = peer.negotiateUntilGo(true, CONTEXTS);
            ByteBuffer info = Info.BlockSize.DEFAULT.encode();
            for (int i = 0; i <= 1024; i++) {
                peer.reply(go, NbdProtocol.REP_INFO, info.duplicate());
            }
            peer.expectClosedByClient();
        }, NbdProtocolException.class, "more than 1024 replies to NBD_OPT_GO");
    }

    @Test
    void goAcknowledgedWithoutExportInfo() throws Exception {
        expectHandshakeFailure(peer -> {
            OptionRequest go = peer.negotiateUntilGo(true, CONTEXTS);
            peer.reply(go, NbdProtocol.REP_ACK, ByteBuffer.allocate(0));
            peer.expectClosedByClient();
        }, NbdProtocolException.class, "without sending NBD_INFO_EXPORT");
    }

    @Test
    void inconsistentBlockSizes() throws Exception {
        expectHandshakeFailure(peer -> peer.acceptGo(peer.negotiateUntilGo(true, CONTEXTS), SIZE,
                new Info.BlockSize(3, 4096, 1 << 20)), NbdProtocolException.class, "inconsistent sizes");
    }

    @Test
    void silentDuringHandshake() throws Exception {
        long start = System.nanoTime();
        expectHandshakeFailure(FakeNbdServer.Peer::expectClosedByClient,
                NbdTimeoutException.class, "no progress for 1000 ms while reading server greeting");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }

    // --- transmission: protocol violations close the connection ---

    private void expectCommandFailure(FakeNbdServer.Script afterRequest, boolean blockStatus,
                                      Class<? extends IOException> type, String message) throws Exception {
        NbdClient client = connect(peer -> {
            peer.handshake(SIZE, CONTEXTS);
            afterRequest.play(peer);
            peer.expectClosedByClient();
        }, List.of(BASE, BITMAP));
        if (blockStatus) {
            assertThatThrownBy(() -> client.blockStatus(BASE, 0, 65536)).isInstanceOf(type).hasMessageContaining(message);
        } else {
            assertThatThrownBy(() -> client.read(0, new byte[65536], 0, 65536)).isInstanceOf(type).hasMessageContaining(message);
        }
        assertThat(client.isOpen()).isFalse();
        server.finishAfterClientGaveUp();
        client.close();
    }

    @Test
    void silentAfterRequest() throws Exception {
        long start = System.nanoTime();
        expectCommandFailure(FakeNbdServer.Peer::nextRequest, false,
                NbdTimeoutException.class, "no progress for 1000 ms while reading reply magic");
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(elapsed).isGreaterThanOrEqualTo(TIMEOUT).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void stallsInTheMiddleOfData() throws Exception {
        expectCommandFailure(peer -> {
            Request r = peer.nextRequest();
            peer.send(new ReplyHeader.Chunk(1, NbdProtocol.REPLY_TYPE_OFFSET_DATA, r.cookie(), 8 + r.length()).encode(),
                    ByteBuffer.allocate(8 + 100).putLong(0).rewind());
        }, false, NbdTimeoutException.class, "while reading NBD_CMD_READ data");
    }

    @Test
    void wrongCookie() throws Exception {
        expectCommandFailure(peer -> {
            Request r = peer.nextRequest();
            peer.send(new ReplyHeader.Chunk(1, NbdProtocol.REPLY_TYPE_NONE, r.cookie() + 1, 0).encode());
        }, false, NbdProtocolException.class, "does not match");
    }

    @Test
    void badReplyMagic() throws Exception {
        expectCommandFailure(peer -> {
            peer.nextRequest();
            peer.send(ByteBuffer.allocate(16).putInt(0xdeadbeef).flip());
        }, false, NbdProtocolException.class, "bad reply magic 0xdeadbeef");
    }

    @Test
    void dataChunkLongerThanRequested() throws Exception {
        expectCommandFailure(peer -> {
            Request r = peer.nextRequest();
            peer.send(new ReplyHeader.Chunk(1, NbdProtocol.REPLY_TYPE_OFFSET_DATA, r.cookie(), 8 + r.length() + 1).encode());
        }, false, NbdProtocolException.class, "NBD_REPLY_TYPE_OFFSET_DATA chunk of 65545 bytes");
    }

    @Test
    void dataChunkOutsideTheRequest() throws Exception {
        expectCommandFailure(peer -> {
            Request r = peer.nextRequest();
            peer.data(r, 4096, new byte[65536], true);
        }, false, NbdProtocolException.class, "lies outside NBD_CMD_READ at offset 0 length 65536");
    }

    @Test
    void overlappingChunks() throws Exception {
        expectCommandFailure(peer -> {
            Request r = peer.nextRequest();
            peer.data(r, 0, new byte[4096], false);
            peer.hole(r, 2048, 4096, true);
        }, false, NbdProtocolException.class, "overlaps");
    }

    @Test
    void replyThatDoesNotCoverTheRequest() throws Exception {
        expectCommandFailure(peer -> {
            Request r = peer.nextRequest();
            peer.data(r, 0, new byte[4096], true);
        }, false, NbdProtocolException.class, "covered only 4096 bytes");
    }

    @Test
    void dataCutShortByClose() throws Exception {
        NbdClient client = connect(peer -> {
            peer.handshake(SIZE, CONTEXTS);
            Request r = peer.nextRequest();
            peer.send(new ReplyHeader.Chunk(1, NbdProtocol.REPLY_TYPE_OFFSET_DATA, r.cookie(), 8 + r.length()).encode(),
                    ByteBuffer.allocate(8 + 100).putLong(0).rewind());
        }, List.of());
        assertThatThrownBy(() -> client.read(0, new byte[65536], 0, 65536))
                .isInstanceOf(NbdProtocolException.class)
                .hasMessageContaining("closed by the peer while reading NBD_CMD_READ data (got 100 of 65536 bytes)");
        assertThat(client.isOpen()).isFalse();
        server.finish();
    }

    @Test
    void absurdBlockStatusCount() throws Exception {
        expectCommandFailure(peer -> {
            Request r = peer.nextRequest();
            peer.send(new ReplyHeader.Chunk(1, NbdProtocol.REPLY_TYPE_BLOCK_STATUS, r.cookie(), 0x7ffffffc).encode());
        }, true, NbdProtocolException.class, "NBD_REPLY_TYPE_BLOCK_STATUS chunk of 2147483644 bytes (limit 524292)");
    }

    @Test
    void blockStatusBeyondTheRange() throws Exception {
        expectCommandFailure(peer -> {
            Request r = peer.nextRequest();
            List<Extent> extents = List.of(new Extent(0, 65536, 0), new Extent(65536, 4096, 3));
            peer.chunk(1, NbdProtocol.REPLY_TYPE_BLOCK_STATUS, r.cookie(), new BlockStatusPayload(7, extents).encode());
        }, true, NbdProtocolException.class, "extent at offset 65536 lies beyond");
    }

    @Test
    void blockStatusForAnUnknownContext() throws Exception {
        expectCommandFailure(peer -> {
            Request r = peer.nextRequest();
            peer.chunk(1, NbdProtocol.REPLY_TYPE_BLOCK_STATUS, r.cookie(),
                    new BlockStatusPayload(42, List.of(new Extent(0, 65536, 0))).encode());
        }, true, NbdProtocolException.class, "context id 42, which was never negotiated");
    }

    @Test
    void zeroLengthExtent() throws Exception {
        expectCommandFailure(peer -> {
            Request r = peer.nextRequest();
            peer.chunk(1, NbdProtocol.REPLY_TYPE_BLOCK_STATUS, r.cookie(),
                    ByteBuffer.allocate(12).putInt(7).putInt(0).putInt(0).flip());
        }, true, NbdProtocolException.class, "extent of length 0");
    }

    // --- transmission: correct but awkward servers ---

    @Test
    void errorChunkFailsTheReadButKeepsTheConnection() throws Exception {
        byte[] disk = pattern();
        NbdClient client = connect(peer -> {
            peer.handshake(SIZE, CONTEXTS);
            Request r = peer.nextRequest();
            ErrorPayload error = new ErrorPayload(NbdProtocol.EIO, "bad sector", OptionalLong.of(8192));
            peer.chunk(1, error.type(), r.cookie(), error.encode());
            peer.serveReads(disk, new CopyOnWriteArrayList<>());
            peer.expectClosedByClient();
        }, List.of());
        assertThatThrownBy(() -> client.read(4096, new byte[8192], 0, 8192))
                .isInstanceOfSatisfying(NbdServerException.class, e -> {
                    assertThat(e.request()).isEqualTo("NBD_CMD_READ");
                    assertThat(e.error()).isEqualTo("EIO");
                    assertThat(e).hasMessageContaining("bad sector").hasMessageContaining("failing offset 8192");
                });
        assertThat(client.isOpen()).isTrue();
        byte[] buf = new byte[4096];
        client.read(4096, buf, 0, buf.length);
        assertThat(buf).isEqualTo(Arrays.copyOfRange(disk, 4096, 8192));
        client.close();
        server.finish();
    }

    @Test
    void readsAreSplitAtTheAdvertisedMaximum() throws Exception {
        byte[] disk = pattern();
        List<Request> log = new CopyOnWriteArrayList<>();
        NbdClient client = connect(peer -> {
            peer.acceptGo(peer.negotiateUntilGo(true, CONTEXTS), SIZE, new Info.BlockSize(512, 4096, 65536));
            peer.serveReads(disk, log);
            peer.expectClosedByClient();
        }, List.of());
        assertThat(client.maxReadRequest()).isEqualTo(65536);
        byte[] buf = new byte[300 * 1024];
        client.read(4096, buf, 0, buf.length);
        client.close();
        server.finish();
        assertThat(buf).isEqualTo(Arrays.copyOfRange(disk, 4096, 4096 + buf.length));
        assertThat(log.stream().filter(r -> r.type() == NbdProtocol.CMD_READ).map(Request::length))
                .containsExactly(65536, 65536, 65536, 65536, 45056);
        assertThat(log.get(log.size() - 1).type()).isEqualTo(NbdProtocol.CMD_DISC);
    }

    @Test
    void chunksOutOfOrderWithHoles() throws Exception {
        byte[] disk = pattern();
        NbdClient client = connect(peer -> {
            peer.handshake(SIZE, CONTEXTS);
            Request r = peer.nextRequest();
            peer.data(r, 8192, Arrays.copyOfRange(disk, 8192, 12288), false);
            peer.hole(r, 0, 8192, false);
            peer.data(r, 12288, Arrays.copyOfRange(disk, 12288, 16384), false);
            peer.chunk(1, NbdProtocol.REPLY_TYPE_NONE, r.cookie(), ByteBuffer.allocate(0));
            peer.expectClosedByClient();
        }, List.of());
        byte[] buf = new byte[16384];
        Arrays.fill(buf, (byte) 0x77);
        client.read(0, buf, 0, buf.length);
        byte[] expected = Arrays.copyOf(disk, 16384);
        Arrays.fill(expected, 0, 8192, (byte) 0);
        assertThat(buf).isEqualTo(expected);
        client.close();
        server.finish();
    }

    @Test
    void simpleRepliesWhenStructuredRepliesAreRefused() throws Exception {
        byte[] disk = pattern();
        NbdClient client = connect(peer -> {
            peer.acceptGo(peer.negotiateUntilGo(false, CONTEXTS), SIZE, Info.BlockSize.DEFAULT);
            Request r = peer.nextRequest();
            peer.send(new ReplyHeader.Simple(0, r.cookie()).encode(),
                    ByteBuffer.wrap(disk, (int) r.offset(), r.length()));
            r = peer.nextRequest();
            peer.send(new ReplyHeader.Simple(NbdProtocol.EINVAL, r.cookie()).encode());
            peer.expectClosedByClient();
        }, List.of(BASE));
        assertThat(client.structuredReplies()).isFalse();
        assertThat(client.contextId(BASE)).isEmpty();
        byte[] buf = new byte[1000];
        client.read(777, buf, 0, buf.length);
        assertThat(buf).isEqualTo(Arrays.copyOfRange(disk, 777, 1777));
        assertThatThrownBy(() -> client.read(0, buf, 0, buf.length))
                .isInstanceOf(NbdServerException.class).hasMessageContaining("NBD_CMD_READ failed: EINVAL");
        client.close();
        server.finish();
    }

    @Test
    void partialBlockStatusIsAskedAgainUntilCovered() throws Exception {
        List<Request> log = new CopyOnWriteArrayList<>();
        NbdClient client = connect(peer -> {
            peer.handshake(SIZE, CONTEXTS);
            // First answer covers only 64 KiB; both contexts come back, as the spec requires.
            Request r = peer.nextRequest();
            log.add(r);
            peer.chunk(0, NbdProtocol.REPLY_TYPE_BLOCK_STATUS, r.cookie(),
                    new BlockStatusPayload(9, List.of(new Extent(0, 65536, 1))).encode());
            peer.chunk(1, NbdProtocol.REPLY_TYPE_BLOCK_STATUS, r.cookie(),
                    new BlockStatusPayload(7, List.of(new Extent(0, 4096, 0), new Extent(4096, 61440, 3))).encode());
            // The rest, with the final extent reaching past the request.
            r = peer.nextRequest();
            log.add(r);
            peer.chunk(0, NbdProtocol.REPLY_TYPE_BLOCK_STATUS, r.cookie(),
                    new BlockStatusPayload(7, List.of(new Extent(r.offset(), 4096, 3), new Extent(r.offset() + 4096, SIZE, 0))).encode());
            peer.chunk(1, NbdProtocol.REPLY_TYPE_BLOCK_STATUS, r.cookie(),
                    new BlockStatusPayload(9, List.of(new Extent(r.offset(), r.length(), 0))).encode());
            peer.expectClosedByClient();
        }, List.of(BASE, BITMAP));
        List<Extent> extents = client.blockStatus(BASE, 0, 131072);
        assertThat(extents).containsExactly(new Extent(0, 4096, 0), new Extent(4096, 65536, 3),
                new Extent(69632, 61440, 0));
        assertThat(log).extracting(Request::offset).containsExactly(0L, 65536L);
        client.close();
        server.finish();
    }

    @Test
    void shutdownErrorMakesTheClientDisconnect() throws Exception {
        NbdClient client = connect(peer -> {
            peer.handshake(SIZE, CONTEXTS);
            Request r = peer.nextRequest();
            peer.chunk(1, NbdProtocol.REPLY_TYPE_ERROR, r.cookie(), ErrorPayload.of(NbdProtocol.ESHUTDOWN).encode());
            assertThat(peer.nextRequest().type()).isEqualTo(NbdProtocol.CMD_DISC);
            peer.expectClosedByClient();
        }, List.of());
        assertThatThrownBy(() -> client.read(0, new byte[512], 0, 512))
                .isInstanceOf(NbdServerException.class).hasMessageContaining("ESHUTDOWN");
        assertThat(client.isOpen()).isFalse();
        server.finish();
    }

    private static byte[] pattern() {
        byte[] disk = new byte[(int) SIZE];
        for (int i = 0; i < disk.length; i++) {
            disk[i] = (byte) (i * 31 + (i >>> 9));
        }
        return disk;
    }
}
