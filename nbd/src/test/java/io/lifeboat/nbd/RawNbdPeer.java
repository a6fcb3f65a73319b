package io.lifeboat.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A hand-driven NBD client for hostile tests: sends whatever bytes a test asks for, built from the
 * module's message classes where the bytes are meant to be right, and reads the server's answers.
 */
final class RawNbdPeer implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    final NbdChannel channel;
    private final SocketChannel socket;

    private RawNbdPeer(SocketChannel socket) throws IOException {
        this.socket = socket;
        this.channel = NbdChannel.accepted(socket, TIMEOUT);
    }

    static RawNbdPeer connect(Path unixSocket) throws IOException {
        SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            socket.connect(UnixDomainSocketAddress.of(unixSocket));
            return new RawNbdPeer(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Reads the greeting and answers with fixed newstyle and no zeroes. */
    RawNbdPeer greet() throws IOException {
        Greeting greeting = Greeting.read(channel);
        assertThat(greeting.handshakeFlags()).isEqualTo(NbdProtocol.FLAG_FIXED_NEWSTYLE | NbdProtocol.FLAG_NO_ZEROES);
        Greeting.writeClientFlags(channel, NbdProtocol.FLAG_C_FIXED_NEWSTYLE | NbdProtocol.FLAG_C_NO_ZEROES);
        return this;
    }

    OptionReply option(OptionRequest request) throws IOException {
        request.write(channel);
        return OptionReply.read(channel, request.option());
    }

    /** Negotiates into transmission on {@code export}, with or without structured replies and base:allocation. */
    RawNbdPeer enter(String export, boolean structured) throws IOException {
        greet();
        if (structured) {
            assertThat(option(OptionRequest.of(NbdProtocol.OPT_STRUCTURED_REPLY)).type()).isEqualTo(NbdProtocol.REP_ACK);
            MetaContextRequest contexts = new MetaContextRequest(export, List.of("base:allocation"));
            assertThat(option(contexts.toOption(NbdProtocol.OPT_SET_META_CONTEXT)).type())
                    .isEqualTo(NbdProtocol.REP_META_CONTEXT);
            assertThat(OptionReply.read(channel, NbdProtocol.OPT_SET_META_CONTEXT).type()).isEqualTo(NbdProtocol.REP_ACK);
        }
        new GoRequest(export, List.of()).toOption(NbdProtocol.OPT_GO).write(channel);
        OptionReply reply;
        do {
            reply = OptionReply.read(channel, NbdProtocol.OPT_GO);
        } while (reply.type() == NbdProtocol.REP_INFO);
        assertThat(reply.type()).isEqualTo(NbdProtocol.REP_ACK);
        return this;
    }

    void send(ByteBuffer bytes) throws IOException {
        channel.write(bytes);
    }

    void request(int flags, int type, long cookie, long offset, int length) throws IOException {
        new Request(flags, type, cookie, offset, length).write(channel);
    }

    ReplyHeader.Simple simpleReply(long cookie) throws IOException {
        ReplyHeader header = ReplyHeader.read(channel);
        assertThat(header).isInstanceOf(ReplyHeader.Simple.class);
        assertThat(header.cookie()).isEqualTo(cookie);
        return (ReplyHeader.Simple) header;
    }

    ReplyHeader.Chunk chunk(long cookie) throws IOException {
        ReplyHeader header = ReplyHeader.read(channel);
        assertThat(header).isInstanceOf(ReplyHeader.Chunk.class);
        assertThat(header.cookie()).isEqualTo(cookie);
        return (ReplyHeader.Chunk) header;
    }

    /** Reads a final error chunk and returns its error value. */
    int errorChunk(long cookie) throws IOException {
        ReplyHeader.Chunk chunk = chunk(cookie);
        assertThat(chunk.isError()).as("error chunk").isTrue();
        assertThat(chunk.done()).isTrue();
        ErrorPayload error = ErrorPayload.parse(chunk.type(), channel.read(chunk.length(), "error payload"));
        assertThat(error.message()).isNotEmpty();
        return error.error();
    }

    ByteBuffer read(int length) throws IOException {
        return channel.read(length, "test data");
    }

    /** Whether the server closed the connection: the next read sees the end of the stream. */
    boolean closedByServer() throws IOException {
        try {
            ByteBuffer b = ByteBuffer.allocate(1);
            channel.readFully(b, "anything");
            return false;
        } catch (NbdProtocolException e) {
            return e.getMessage().contains("connection closed by the peer");
        } catch (IOException e) {
            // A reset is a close too.
            return e.getMessage() != null && e.getMessage().contains("reset");
        }
    }

    /** Closes the socket without any goodbye, as a crashing client would. */
    @Override
    public void close() throws IOException {
        try (socket) {
            channel.close();
        }
    }
}
