package io.lifeboat.nbd;

import static io.lifeboat.nbd.NbdProtocol.CMD_BLOCK_STATUS;
import static io.lifeboat.nbd.NbdProtocol.CMD_DISC;
import static io.lifeboat.nbd.NbdProtocol.CMD_FLAG_DF;
import static io.lifeboat.nbd.NbdProtocol.CMD_FLAG_REQ_ONE;
import static io.lifeboat.nbd.NbdProtocol.CMD_FLUSH;
import static io.lifeboat.nbd.NbdProtocol.CMD_READ;
import static io.lifeboat.nbd.NbdProtocol.CMD_TRIM;
import static io.lifeboat.nbd.NbdProtocol.CMD_WRITE;
import static io.lifeboat.nbd.NbdProtocol.CMD_WRITE_ZEROES;
import static io.lifeboat.nbd.NbdProtocol.EINVAL;
import static io.lifeboat.nbd.NbdProtocol.EIO;
import static io.lifeboat.nbd.NbdProtocol.EOVERFLOW;
import static io.lifeboat.nbd.NbdProtocol.EPERM;
import static io.lifeboat.nbd.NbdProtocol.REPLY_FLAG_DONE;
import static io.lifeboat.nbd.NbdProtocol.REPLY_TYPE_BLOCK_STATUS;
import static io.lifeboat.nbd.NbdProtocol.REPLY_TYPE_OFFSET_DATA;
import static io.lifeboat.nbd.NbdProtocol.REPLY_TYPE_OFFSET_HOLE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The server side of the transmission phase: reads requests ({@link Request}) one after the
 * other and answers each completely before reading the next, so pipelined requests are answered
 * in order. Layouts of the replies: {@link ReplyHeader}, {@link ReadReply},
 * {@link BlockStatusPayload}, {@link ErrorPayload}.
 *
 * <ul>
 * <li>{@code NBD_CMD_READ}: without structured replies, a simple reply and the data. With them,
 *     {@code OFFSET_HOLE} chunks for ranges the export reports as zero and {@code OFFSET_DATA}
 *     chunks of at most {@link #PIECE} bytes for the rest, the last one flagged DONE; with
 *     {@code NBD_CMD_FLAG_DF}, one {@code OFFSET_DATA} chunk for the whole range.</li>
 * <li>{@code NBD_CMD_BLOCK_STATUS} ({@code base:allocation} negotiated): one
 *     {@code BLOCK_STATUS} chunk of at most {@link #MAX_EXTENTS} extents (one with
 *     {@code NBD_CMD_FLAG_REQ_ONE}), possibly covering only the start of the range.</li>
 * <li>{@code NBD_CMD_FLUSH}: success (nothing is ever written). {@code NBD_CMD_DISC}: the
 *     connection is closed.</li>
 * <li>{@code NBD_CMD_WRITE}, {@code TRIM}, {@code WRITE_ZEROES}: {@code EPERM} (a write's payload
 *     is skipped first; one over the maximum block size closes the connection after the error,
 *     since skipping it would mean reading gigabytes). Other commands: {@code EINVAL}.</li>
 * <li>Errors: unknown or inapplicable flags, length 0, or a range past the end: {@code EINVAL};
 *     a read over 32 MiB: {@code EOVERFLOW} (structured) or {@code EINVAL}, decided from the
 *     header alone so nothing of that size is ever allocated; an export failure: {@code EIO}.
 *     With structured replies an error is an {@code NBD_REPLY_TYPE_ERROR} chunk with a message
 *     ({@code ERROR_OFFSET} once part of a read was sent), otherwise a simple reply.</li>
 * </ul>
 * An export failure after a simple or DF reply has started cannot be reported in-band, so the
 * connection is closed. Successful replies to other than reads are simple replies.
 */
final class ServerTransmission {

    /** Data is read from the export and sent in pieces of this size, the only per-connection buffer. */
    static final int PIECE = 1 << 20;
    static final int MAX_LENGTH = NbdProtocol.DEFAULT_MAX_BLOCK_SIZE;
    static final int MAX_EXTENTS = 1 << 16;
    /** A read is split into at most this many chunks; the rest of the range is then sent as data. */
    private static final int MAX_READ_EXTENTS = 1 << 12;

    private final NbdChannel channel;
    private final ServerHandshake.Session session;
    private final ExportCounters counters;
    private final Duration idleTimeout;
    private ByteBuffer buffer;

    ServerTransmission(NbdChannel channel, ServerHandshake.Session session, ExportCounters counters,
                       Duration idleTimeout) {
        this.channel = channel;
        this.session = session;
        this.counters = counters;
        this.idleTimeout = idleTimeout;
    }

    /** Serves requests until the client disconnects; a broken request ends it with an exception. */
    void serve() throws IOException {
        while (true) {
            if (!channel.awaitReadable(idleTimeout)) {
                throw new NbdTimeoutException("no request for " + idleTimeout.toMillis() + " ms");
            }
            Request request = Request.read(channel);
            counters.requests.increment();
            switch (request.type()) {
                case CMD_DISC -> {
                    return;
                }
                case CMD_READ -> read(request);
                case CMD_BLOCK_STATUS -> blockStatus(request);
                case CMD_FLUSH -> {
                    if (request.flags() != 0) {
                        fail(request, EINVAL, "NBD_CMD_FLUSH takes no flags");
                    } else {
                        channel.write(new ReplyHeader.Simple(0, request.cookie()).encode());
                    }
                }
                case CMD_WRITE -> write(request);
                case CMD_TRIM, CMD_WRITE_ZEROES -> fail(request, EPERM, "the export is read-only");
                default -> fail(request, EINVAL, "unsupported " + NbdProtocol.commandName(request.type()));
            }
        }
    }

    private void read(Request request) throws IOException {
        int flags = session.structuredReplies() ? CMD_FLAG_DF : 0;
        if (!valid(request, flags, true)) {
            return;
        }
        if (!session.structuredReplies()) {
            readWhole(request, new ReplyHeader.Simple(0, request.cookie()).encode());
        } else if ((request.flags() & CMD_FLAG_DF) != 0) {
            ByteBuffer header = new ReplyHeader.Chunk(REPLY_FLAG_DONE, REPLY_TYPE_OFFSET_DATA, request.cookie(),
                    Long.BYTES + request.length()).encode();
            readWhole(request, ByteBuffer.allocate(header.remaining() + Long.BYTES).put(header)
                    .putLong(request.offset()).flip());
        } else {
            readChunked(request);
        }
    }

    /** One header, then all the data: a failure after the first piece can only close the connection. */
    private void readWhole(Request request, ByteBuffer header) throws IOException {
        long end = request.offset() + request.lengthUnsigned();
        long position = request.offset();
        ByteBuffer piece;
        try {
            piece = fill(position, (int) Math.min(PIECE, end - position));
        } catch (IOException e) {
            fail(request, EIO, "reading the export failed: " + e.getMessage());
            return;
        }
        position += piece.limit();
        countIfLast(request, position == end, request.lengthUnsigned());
        channel.write(header, piece);
        while (position < end) {
            try {
                piece = fill(position, (int) Math.min(PIECE, end - position));
            } catch (IOException e) {
                throw new NbdProtocolException("reading the export at offset " + position
                        + " failed after the reply to " + request.describe() + " started: " + e.getMessage());
            }
            position += piece.limit();
            countIfLast(request, position == end, request.lengthUnsigned());
            channel.write(piece);
        }
    }

    /**
     * Counts a read once everything it returns came from the export, just before its last piece
     * goes out: a client that has the whole reply finds it counted.
     */
    private void countIfLast(Request request, boolean last, long data) {
        if (last) {
            counters.bytesRead.add(request.lengthUnsigned());
            counters.dataBytes.add(data);
        }
    }

    private void readChunked(Request request) throws IOException {
        long end = request.offset() + request.lengthUnsigned();
        List<Extent> extents;
        try {
            extents = allocation(request.offset(), request.lengthUnsigned(), MAX_READ_EXTENTS);
        } catch (IOException e) {
            fail(request, EIO, "reading the export's allocation failed: " + e.getMessage());
            return;
        }
        Extent last = extents.get(extents.size() - 1);
        if (last.end() < end) {
            // Too fragmented to be worth holes: the rest goes as data, which is always correct.
            extents = new ArrayList<>(extents);
            NbdClient.appendMerged(extents, new Extent(last.end(), end - last.end(), 0));
        }
        long data = 0;
        for (Extent e : extents) {
            if (e.has(Extent.NBD_STATE_ZERO)) {
                ByteBuffer hole = ByteBuffer.allocate(ReadReply.HOLE_PAYLOAD_SIZE).putLong(e.offset())
                        .putInt((int) e.length()).flip();
                countIfLast(request, e.end() == end, data);
                chunk(request, e.end() == end, REPLY_TYPE_OFFSET_HOLE, hole);
                continue;
            }
            for (long position = e.offset(); position < e.end(); ) {
                ByteBuffer piece;
                try {
                    piece = fill(position, (int) Math.min(PIECE, e.end() - position));
                } catch (IOException failure) {
                    fail(request, new ErrorPayload(EIO, truncate("reading the export failed: " + failure.getMessage()),
                            OptionalLong.of(position)));
                    return;
                }
                ByteBuffer offset = ByteBuffer.allocate(Long.BYTES).putLong(position).flip();
                position += piece.limit();
                data += piece.limit();
                countIfLast(request, position == end, data);
                chunk(request, position == end, REPLY_TYPE_OFFSET_DATA, offset, piece);
            }
        }
    }

    private void blockStatus(Request request) throws IOException {
        if (!session.structuredReplies() || !session.baseAllocation()) {
            fail(request, EINVAL, "NBD_CMD_BLOCK_STATUS needs the base:allocation meta context");
            return;
        }
        if (!valid(request, CMD_FLAG_REQ_ONE, false)) {
            return;
        }
        int max = (request.flags() & CMD_FLAG_REQ_ONE) != 0 ? 1 : MAX_EXTENTS;
        List<Extent> extents;
        try {
            extents = allocation(request.offset(), request.lengthUnsigned(), max);
        } catch (IOException e) {
            fail(request, EIO, "reading the export's allocation failed: " + e.getMessage());
            return;
        }
        ByteBuffer payload = new BlockStatusPayload(ServerHandshake.BASE_ALLOCATION_ID, extents).encode();
        chunk(request, true, REPLY_TYPE_BLOCK_STATUS, payload);
    }

    private void write(Request request) throws IOException {
        long length = request.lengthUnsigned();
        if (length > MAX_LENGTH) {
            fail(request, session.structuredReplies() ? EOVERFLOW : EINVAL,
                    "write of " + length + " bytes exceeds the maximum of " + MAX_LENGTH);
            throw new NbdProtocolException(request.describe() + ": payload too large to skip");
        }
        // The payload follows the header whatever the answer: consume it to stay in step.
        for (long left = length; left > 0; ) {
            ByteBuffer b = buffer().clear().limit((int) Math.min(PIECE, left));
            channel.readFully(b, "NBD_CMD_WRITE payload");
            left -= b.limit();
        }
        fail(request, EPERM, "the export is read-only");
    }

    /** Checks flags and range; answers with the error and returns false if they are wrong. */
    private boolean valid(Request request, int allowedFlags, boolean payloadLimit) throws IOException {
        long length = request.lengthUnsigned();
        String command = NbdProtocol.commandName(request.type());
        if ((request.flags() & ~allowedFlags) != 0) {
            fail(request, EINVAL, command + " does not take flags 0x" + Integer.toHexString(request.flags()));
        } else if (length == 0) {
            fail(request, EINVAL, command + " of length 0");
        } else if (payloadLimit && length > MAX_LENGTH) {
            fail(request, session.structuredReplies() ? EOVERFLOW : EINVAL,
                    command + " of " + length + " bytes exceeds the maximum of " + MAX_LENGTH);
        } else if (request.offset() < 0 || request.offset() > session.size() - length) {
            fail(request, EINVAL, command + " at offset " + Long.toUnsignedString(request.offset()) + " length "
                    + length + " reaches past the end of the export (" + session.size() + " bytes)");
        } else {
            return true;
        }
        return false;
    }

    /**
     * The export's allocation of [offset, offset+length) as contiguous merged extents starting at
     * {@code offset}, clipped to the range, at most {@code maxExtents} of them (covering a prefix).
     */
    private List<Extent> allocation(long offset, long length, int maxExtents) throws IOException {
        NbdExport export = session.export();
        List<Extent> result = new ArrayList<>();
        long end = offset + length;
        long position = offset;
        while (position < end) {
            List<Extent> part;
            try {
                part = export.allocation(position, end - position);
            } catch (RuntimeException e) {
                throw new IOException(e.toString(), e);
            }
            if (part == null || part.isEmpty()) {
                throw new IOException("export '" + export.name() + "' reported no allocation at offset " + position);
            }
            for (Extent e : part) {
                if (position >= end) {
                    break;
                }
                if (e.offset() != position) {
                    throw new IOException("export '" + export.name() + "' reported an extent at offset "
                            + e.offset() + " where " + position + " was expected");
                }
                long clipped = Math.min(e.length(), end - position);
                int flags = e.flags() & (Extent.NBD_STATE_HOLE | Extent.NBD_STATE_ZERO);
                Extent next = new Extent(position, clipped, flags);
                boolean merges = !result.isEmpty() && result.get(result.size() - 1).flags() == flags;
                if (!merges && result.size() == maxExtents) {
                    return result;
                }
                NbdClient.appendMerged(result, next);
                position += clipped;
            }
        }
        return result;
    }

    /** Reads {@code length} bytes of the export into the connection's buffer, flipped for writing. */
    private ByteBuffer fill(long offset, int length) throws IOException {
        ByteBuffer b = buffer().clear().limit(length);
        ByteBuffer target = b.duplicate();
        try {
            session.export().read(offset, target);
        } catch (RuntimeException e) {
            throw new IOException(e.toString(), e);
        }
        if (target.hasRemaining()) {
            throw new IOException("export '" + session.export().name() + "' left " + target.remaining()
                    + " of " + length + " bytes unread at offset " + offset);
        }
        return b;
    }

    private ByteBuffer buffer() {
        if (buffer == null) {
            buffer = ByteBuffer.allocate(PIECE);
        }
        return buffer;
    }

    private void chunk(Request request, boolean done, int type, ByteBuffer... payload) throws IOException {
        int length = 0;
        for (ByteBuffer b : payload) {
            length += b.remaining();
        }
        ByteBuffer[] all = new ByteBuffer[payload.length + 1];
        all[0] = new ReplyHeader.Chunk(done ? REPLY_FLAG_DONE : 0, type, request.cookie(), length).encode();
        System.arraycopy(payload, 0, all, 1, payload.length);
        channel.write(all);
    }

    private void fail(Request request, int error, String message) throws IOException {
        fail(request, new ErrorPayload(error, truncate(message), OptionalLong.empty()));
    }

    private void fail(Request request, ErrorPayload error) throws IOException {
        counters.errors.increment();
        if (session.structuredReplies()) {
            chunk(request, true, error.type(), error.encode());
        } else {
            channel.write(new ReplyHeader.Simple(error.error(), request.cookie()).encode());
        }
    }

    private static String truncate(String message) {
        // Error messages are ASCII apart from export names; cutting by chars keeps the bytes under the limit.
        return message.length() > 1024 ? message.substring(0, 1024) : message;
    }
}
