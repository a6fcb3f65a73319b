package io.lifeboat.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the client sends to a writable server that lacks WRITE_ZEROES or FLUSH, and how it reads write replies. */
@Timeout(60)
class NbdClientWriteFakeServerTest {

    private static final int MiB = 1 << 20;
    private static final long SIZE = 16 * MiB;
    /** Writable, and nothing else: no NBD_FLAG_SEND_WRITE_ZEROES, no NBD_FLAG_SEND_FLUSH. */
    private static final int PLAIN_WRITABLE = NbdProtocol.FLAG_HAS_FLAGS;

    @TempDir
    Path dir;

    private FakeNbdServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private record Received(Request request, byte[] payload) {
    }

    /** Answers every request with a simple success, reading write payloads, until NBD_CMD_DISC. */
    private static void acknowledgeAll(FakeNbdServer.Peer peer, List<Received> log) throws IOException {
        while (true) {
            Request request = peer.nextRequest();
            byte[] payload = request.type() == NbdProtocol.CMD_WRITE
                    ? peer.channel.read(request.length(), "write payload").array() : new byte[0];
            log.add(new Received(request, payload));
            if (request.type() == NbdProtocol.CMD_DISC) {
                return;
            }
            peer.send(new ReplyHeader.Simple(0, request.cookie()).encode());
        }
    }

    @Test
    void aReadOnlyExportGetsNoWriteRequestAtAll() throws Exception {
        List<Received> log = new ArrayList<>();
        server = new FakeNbdServer(dir, peer -> {
            peer.handshake(SIZE, Map.of());
            acknowledgeAll(peer, log);
        });
        try (NbdClient client = NbdClient.connectUnix(server.socket(), "", List.of())) {
            assertThat(client.isReadOnly()).isTrue();
            assertThatThrownBy(() -> client.write(0, new byte[512], 0, 512)).hasMessageContaining("NBD_FLAG_READ_ONLY");
            assertThatThrownBy(() -> client.writeZeroes(0, 512)).hasMessageContaining("NBD_FLAG_READ_ONLY");
        }
        server.finish();
        assertThat(log).extracting(r -> r.request().type()).containsExactly(NbdProtocol.CMD_DISC);
    }

    @Test
    void withoutWriteZeroesZeroesAreWrittenAsDataAndFlushIsRefused() throws Exception {
        List<Received> log = new ArrayList<>();
        server = new FakeNbdServer(dir, peer -> {
            peer.acceptGo(peer.negotiateUntilGo(true, Map.of()), SIZE, Info.BlockSize.DEFAULT, PLAIN_WRITABLE);
            acknowledgeAll(peer, log);
        });
        try (NbdClient client = NbdClient.connectUnix(server.socket(), "", List.of())) {
            assertThat(client.isReadOnly()).isFalse();
            assertThat(client.canWriteZeroes()).isFalse();
            client.writeZeroes(4096, 2 * MiB + 512);
            assertThatThrownBy(client::flush).isExactlyInstanceOf(IOException.class)
                    .hasMessageContaining("NBD_FLAG_SEND_FLUSH");
            assertThat(client.isOpen()).isTrue();
        }
        server.finish();
        assertThat(log).extracting(r -> r.request().type()).containsExactly(
                NbdProtocol.CMD_WRITE, NbdProtocol.CMD_WRITE, NbdProtocol.CMD_WRITE, NbdProtocol.CMD_DISC);
        assertThat(log.subList(0, 3)).extracting(r -> r.request().offset())
                .containsExactly(4096L, 4096L + MiB, 4096L + 2 * MiB);
        assertThat(log.subList(0, 3)).extracting(r -> r.request().length()).containsExactly(MiB, MiB, 512);
        for (Received r : log.subList(0, 3)) {
            assertThat(r.request().flags()).isZero();
            assertThat(r.payload()).isEqualTo(new byte[r.request().length()]);
        }
    }

    @Test
    void writeZeroesIsSentWithoutNoHoleAndWritesCarryTheirPayload() throws Exception {
        List<Received> log = new ArrayList<>();
        int flags = PLAIN_WRITABLE | NbdProtocol.FLAG_SEND_WRITE_ZEROES | NbdProtocol.FLAG_SEND_FLUSH;
        server = new FakeNbdServer(dir, peer -> {
            peer.acceptGo(peer.negotiateUntilGo(false, Map.of()), SIZE, Info.BlockSize.DEFAULT, flags);
            acknowledgeAll(peer, log);
        });
        byte[] data = {1, 2, 3, 4, 5};
        try (NbdClient client = NbdClient.connectUnix(server.socket(), "", List.of())) {
            client.write(7, data, 1, 3);
            client.writeZeroes(MiB, 4 * MiB);
            client.flush();
        }
        server.finish();
        assertThat(log).extracting(r -> r.request().type()).containsExactly(NbdProtocol.CMD_WRITE,
                NbdProtocol.CMD_WRITE_ZEROES, NbdProtocol.CMD_FLUSH, NbdProtocol.CMD_DISC);
        assertThat(log.get(0).payload()).containsExactly(2, 3, 4);
        assertThat(log.get(0).request().offset()).isEqualTo(7);
        Request zeroes = log.get(1).request();
        assertThat(zeroes.flags() & NbdProtocol.CMD_FLAG_NO_HOLE).isZero();
        assertThat(zeroes.offset()).isEqualTo(MiB);
        assertThat(zeroes.length()).isEqualTo(4 * MiB);
        assertThat(log.get(2).request().offset()).isZero();
        assertThat(log.get(2).request().length()).isZero();
    }

    @Test
    void structuredWriteRepliesAreUnderstoodAndAnErrorLeavesTheConnectionUsable() throws Exception {
        int flags = PLAIN_WRITABLE | NbdProtocol.FLAG_SEND_FLUSH;
        server = new FakeNbdServer(dir, peer -> {
            peer.acceptGo(peer.negotiateUntilGo(true, Map.of()), SIZE, Info.BlockSize.DEFAULT, flags);
            Request first = peer.nextRequest();
            peer.channel.read(first.length(), "write payload");
            byte[] message = "disk full".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            peer.chunk(NbdProtocol.REPLY_FLAG_DONE, NbdProtocol.REPLY_TYPE_ERROR, first.cookie(),
                    ByteBuffer.allocate(6 + message.length).putInt(NbdProtocol.ENOSPC)
                            .putShort((short) message.length).put(message).flip());
            Request second = peer.nextRequest();
            peer.channel.read(second.length(), "write payload");
            peer.chunk(NbdProtocol.REPLY_FLAG_DONE, NbdProtocol.REPLY_TYPE_NONE, second.cookie(), ByteBuffer.allocate(0));
            Request flush = peer.nextRequest();
            peer.send(new ReplyHeader.Simple(0, flush.cookie()).encode());
            assertThat(peer.nextRequest().type()).isEqualTo(NbdProtocol.CMD_DISC);
        });
        try (NbdClient client = NbdClient.connectUnix(server.socket(), "", List.of())) {
            assertThatThrownBy(() -> client.write(0, new byte[4096], 0, 4096))
                    .isInstanceOfSatisfying(NbdServerException.class, e -> {
                        assertThat(e.request()).isEqualTo("NBD_CMD_WRITE");
                        assertThat(e.error()).isEqualTo("ENOSPC");
                    })
                    .hasMessageContaining("disk full");
            client.write(0, new byte[4096], 0, 4096);
            client.flush();
        }
        server.finish();
    }
}
