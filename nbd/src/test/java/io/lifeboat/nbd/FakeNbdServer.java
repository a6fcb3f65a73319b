package io.lifeboat.nbd;

import static io.lifeboat.nbd.NbdProtocol.FLAG_C_FIXED_NEWSTYLE;
import static io.lifeboat.nbd.NbdProtocol.FLAG_FIXED_NEWSTYLE;
import static io.lifeboat.nbd.NbdProtocol.FLAG_NO_ZEROES;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * An in-test NBD server on a unix socket that plays a script against one client connection: a
 * correct handshake and replies where the test needs them (built from the same message classes a
 * real server will use), deliberately broken bytes where it does not.
 */
final class FakeNbdServer implements AutoCloseable {

    static final Duration SERVER_TIMEOUT = Duration.ofSeconds(5);

    interface Script {
        void play(Peer peer) throws Exception;
    }

    private final ServerSocketChannel listener;
    private final Path socket;
    private final Thread thread;
    private volatile Throwable failure;

    FakeNbdServer(Path dir, Script script) throws IOException {
        socket = dir.resolve("fake.sock");
        listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(socket));
        thread = new Thread(() -> {
            try (NbdChannel channel = NbdChannel.accepted(listener.accept(), SERVER_TIMEOUT)) {
                script.play(new Peer(channel));
            } catch (Throwable t) {
                failure = t;
            }
        }, "fake-nbd-server");
        thread.start();
    }

    Path socket() {
        return socket;
    }

    /** Waits for the script to end and fails the test if the script failed. */
    void finish() throws Exception {
        finish(false);
    }

    /**
     * Like {@link #finish()}, for scripts whose client is expected to give up: a client that
     * rejected the server and closed may do so while the script is still writing to it, and
     * the script's "broken pipe" or "connection reset" is then the expected outcome.
     */
    void finishAfterClientGaveUp() throws Exception {
        finish(true);
    }

    private void finish(boolean clientMayHangUp) throws Exception {
        thread.join(SERVER_TIMEOUT.toMillis() * 2);
        if (thread.isAlive()) {
            throw new AssertionError("fake server script did not finish");
        }
        if (clientMayHangUp && failure instanceof IOException e && hungUp(e)) {
            return;
        }
        if (failure instanceof Exception e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
    }

    private static boolean hungUp(IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("Broken pipe") || m.contains("Connection reset");
    }

    @Override
    public void close() throws IOException {
        listener.close();
        try {
            thread.join(SERVER_TIMEOUT.toMillis() * 2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(socket);
    }

    /** The server's end of the connection, with helpers for the well-behaved parts. */
    static final class Peer {

        final NbdChannel channel;

        Peer(NbdChannel channel) {
            this.channel = channel;
        }

        void send(ByteBuffer... buffers) throws IOException {
            channel.write(buffers);
        }

        void greet() throws IOException {
            new Greeting(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES).write(channel);
            int flags = Greeting.readClientFlags(channel);
            if ((flags & FLAG_C_FIXED_NEWSTYLE) == 0) {
                throw new AssertionError("client did not ask for fixed newstyle");
            }
        }

        /** Greets, answers options correctly, and returns NBD_OPT_GO unanswered. */
        OptionRequest negotiateUntilGo(boolean structured, Map<String, Integer> contexts) throws IOException {
            greet();
            while (true) {
                OptionRequest option = OptionRequest.read(channel, OptionReply.MAX_LENGTH);
                switch (option.option()) {
                    case NbdProtocol.OPT_STRUCTURED_REPLY ->
                            reply(option, structured ? NbdProtocol.REP_ACK : NbdProtocol.REP_ERR_UNSUP, empty());
                    case NbdProtocol.OPT_SET_META_CONTEXT -> {
                        for (String query : MetaContextRequest.parse(option.data()).queries()) {
                            Integer id = contexts.get(query);
                            if (id != null) {
                                reply(option, NbdProtocol.REP_META_CONTEXT, new MetaContextReply(id, query).encode());
                            }
                        }
                        reply(option, NbdProtocol.REP_ACK, empty());
                    }
                    case NbdProtocol.OPT_GO -> {
                        GoRequest.parse(option.data());
                        return option;
                    }
                    default -> reply(option, NbdProtocol.REP_ERR_UNSUP, empty());
                }
            }
        }

        void acceptGo(OptionRequest go, long size, Info.BlockSize blockSize) throws IOException {
            acceptGo(go, size, blockSize, NbdProtocol.FLAG_HAS_FLAGS | NbdProtocol.FLAG_READ_ONLY);
        }

        void acceptGo(OptionRequest go, long size, Info.BlockSize blockSize, int transmissionFlags) throws IOException {
            reply(go, NbdProtocol.REP_INFO, new Info.Export(size, transmissionFlags).encode());
            reply(go, NbdProtocol.REP_INFO, blockSize.encode());
            reply(go, NbdProtocol.REP_ACK, empty());
        }

        void handshake(long size, Map<String, Integer> contexts) throws IOException {
            acceptGo(negotiateUntilGo(true, contexts), size, Info.BlockSize.DEFAULT);
        }

        void reply(OptionRequest option, int type, ByteBuffer data) throws IOException {
            new OptionReply(option.option(), type, data).write(channel);
        }

        Request nextRequest() throws IOException {
            return Request.read(channel);
        }

        void chunk(int flags, int type, long cookie, ByteBuffer payload) throws IOException {
            channel.write(new ReplyHeader.Chunk(flags, type, cookie, payload.remaining()).encode(), payload);
        }

        void data(Request request, long offset, byte[] data, boolean done) throws IOException {
            ByteBuffer payload = ByteBuffer.allocate(Long.BYTES + data.length).putLong(offset).put(data).flip();
            chunk(done ? NbdProtocol.REPLY_FLAG_DONE : 0, NbdProtocol.REPLY_TYPE_OFFSET_DATA, request.cookie(), payload);
        }

        void hole(Request request, long offset, int length, boolean done) throws IOException {
            ByteBuffer payload = ByteBuffer.allocate(ReadReply.HOLE_PAYLOAD_SIZE).putLong(offset).putInt(length).flip();
            chunk(done ? NbdProtocol.REPLY_FLAG_DONE : 0, NbdProtocol.REPLY_TYPE_OFFSET_HOLE, request.cookie(), payload);
        }

        /** Answers reads from {@code disk} with one data chunk each until NBD_CMD_DISC. */
        void serveReads(byte[] disk, java.util.List<Request> log) throws IOException {
            while (true) {
                Request request = nextRequest();
                log.add(request);
                if (request.type() == NbdProtocol.CMD_DISC) {
                    return;
                }
                byte[] data = java.util.Arrays.copyOfRange(disk, (int) request.offset(),
                        (int) request.offset() + request.length());
                data(request, request.offset(), data, true);
            }
        }

        /** Succeeds once the client has closed the connection; fails if it keeps it open. */
        void expectClosedByClient() throws IOException {
            ByteBuffer sink = ByteBuffer.allocate(4096);
            while (true) {
                sink.clear();
                try {
                    channel.readFully(sink, "anything");
                } catch (NbdTimeoutException e) {
                    throw new AssertionError("client left the connection open", e);
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private static ByteBuffer empty() {
            return ByteBuffer.allocate(0);
        }
    }
}
