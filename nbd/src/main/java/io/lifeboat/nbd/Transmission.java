package io.lifeboat.nbd;

import static io.lifeboat.nbd.NbdProtocol.CMD_BLOCK_STATUS;
import static io.lifeboat.nbd.NbdProtocol.CMD_DISC;
import static io.lifeboat.nbd.NbdProtocol.CMD_FLUSH;
import static io.lifeboat.nbd.NbdProtocol.CMD_READ;
import static io.lifeboat.nbd.NbdProtocol.CMD_WRITE;
import static io.lifeboat.nbd.NbdProtocol.CMD_WRITE_ZEROES;
import static io.lifeboat.nbd.NbdProtocol.REPLY_TYPE_BLOCK_STATUS;
import static io.lifeboat.nbd.NbdProtocol.REPLY_TYPE_NONE;
import static io.lifeboat.nbd.NbdProtocol.REPLY_TYPE_OFFSET_DATA;
import static io.lifeboat.nbd.NbdProtocol.REPLY_TYPE_OFFSET_HOLE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The client side of the transmission phase: one request on the wire at a time, its reply read
 * and checked completely before the next. Splitting large ranges and locking are the caller's
 * ({@link NbdClient}) business; this class sends exactly the requests it is asked to.
 *
 * <p>Message layouts: {@link Request}, {@link ReplyHeader}, {@link ReadReply},
 * {@link BlockStatusPayload}, {@link ErrorPayload}.
 */
final class Transmission {

    /** Far above what qemu sends (it caps a reply at 2^17 extents), far below running out of memory. */
    static final int MAX_EXTENTS_PER_CHUNK = 1 << 20;

    private final NbdChannel channel;
    private final NegotiatedExport export;
    private final Set<Integer> contextIds;
    private long nextCookie = 1;

    Transmission(NbdChannel channel, NegotiatedExport export) {
        this.channel = channel;
        this.export = export;
        this.contextIds = Set.copyOf(export.metaContexts().values());
    }

    /** Reads {@code dst.remaining()} bytes at {@code offset} with one request; advances {@code dst}. */
    void read(long offset, ByteBuffer dst) throws IOException {
        Request request = send(CMD_READ, offset, dst.remaining());
        if (!export.structuredReplies()) {
            expectSimpleSuccess(request);
            channel.readFully(dst.duplicate(), "NBD_CMD_READ data");
            dst.position(dst.limit());
            return;
        }
        ReadReply reply = new ReadReply(request, dst);
        ErrorPayload error = null;
        ReplyHeader.Chunk chunk;
        do {
            chunk = nextChunk(request);
            switch (chunk.type()) {
                case REPLY_TYPE_OFFSET_DATA -> reply.readData(chunk, channel);
                case REPLY_TYPE_OFFSET_HOLE -> reply.readHole(payload(request, chunk, ReadReply.HOLE_PAYLOAD_SIZE));
                default -> error = firstError(error, readOtherChunk(request, chunk));
            }
        } while (!chunk.done());
        if (error != null) {
            throw serverError(request, error);
        }
        if (!reply.isComplete()) {
            throw new NbdProtocolException("reply to " + request.describe() + " covered only "
                    + reply.receivedBytes() + " bytes");
        }
        dst.position(dst.limit());
    }

    /**
     * Asks for the status of [offset, offset+length) and returns the extents of {@code contextId},
     * which start at {@code offset}, may cover less than asked, and never reach beyond the range.
     */
    List<Extent> blockStatus(int contextId, long offset, int length) throws IOException {
        Request request = send(CMD_BLOCK_STATUS, offset, length);
        List<Extent> extents = null;
        Set<Integer> seen = new HashSet<>();
        ErrorPayload error = null;
        ReplyHeader.Chunk chunk;
        do {
            chunk = nextChunk(request);
            if (chunk.type() != REPLY_TYPE_BLOCK_STATUS) {
                error = firstError(error, readOtherChunk(request, chunk));
                continue;
            }
            // Every extent but the last lies inside the range and is at least a byte long.
            long maxExtents = Math.min(MAX_EXTENTS_PER_CHUNK, request.lengthUnsigned());
            long maxLength = Integer.BYTES + maxExtents * BlockStatusPayload.DESCRIPTOR_SIZE;
            if (!BlockStatusPayload.isWellFormedLength(chunk.lengthUnsigned()) || chunk.lengthUnsigned() > maxLength) {
                throw new NbdProtocolException("NBD_REPLY_TYPE_BLOCK_STATUS chunk of " + chunk.lengthUnsigned()
                        + " bytes (limit " + maxLength + ") in reply to " + request.describe());
            }
            BlockStatusPayload status = BlockStatusPayload.parse(
                    channel.read(chunk.length(), "NBD_REPLY_TYPE_BLOCK_STATUS payload"), offset);
            if (!contextIds.contains(status.contextId())) {
                throw new NbdProtocolException("block status for context id " + status.contextId()
                        + ", which was never negotiated, in reply to " + request.describe());
            }
            if (!seen.add(status.contextId())) {
                throw new NbdProtocolException("two block status chunks for context id " + status.contextId()
                        + " in reply to " + request.describe());
            }
            if (status.contextId() == contextId) {
                extents = clip(request, status.extents());
            }
        } while (!chunk.done());
        if (error != null) {
            throw serverError(request, error);
        }
        if (extents == null) {
            throw new NbdProtocolException("no block status for context id " + contextId + " in reply to "
                    + request.describe());
        }
        return extents;
    }

    /** Writes all of {@code data} at {@code offset} with one request (header and payload in one send). */
    void write(long offset, ByteBuffer data) throws IOException {
        Request request = new Request(0, CMD_WRITE, nextCookie++, offset, data.remaining());
        channel.write(request.encode(), data);
        expectDone(request);
    }

    /**
     * Zeroes [offset, offset+length) with one NBD_CMD_WRITE_ZEROES. NBD_CMD_FLAG_NO_HOLE is not
     * set, so the server may punch a hole or mark zero clusters instead of writing zeroes.
     */
    void writeZeroes(long offset, int length) throws IOException {
        expectDone(send(CMD_WRITE_ZEROES, offset, length));
    }

    /** NBD_CMD_FLUSH: every write the server completed so far is on stable storage when this returns. */
    void flush() throws IOException {
        expectDone(send(CMD_FLUSH, 0, 0));
    }

    /** Sends NBD_CMD_DISC, which has no reply; the server then closes the connection. */
    void disconnect() throws IOException {
        send(CMD_DISC, 0, 0);
    }

    private Request send(int type, long offset, int length) throws IOException {
        Request request = new Request(0, type, nextCookie++, offset, length);
        request.write(channel);
        return request;
    }

    private ReplyHeader readHeader(Request request) throws IOException {
        ReplyHeader header = ReplyHeader.read(channel);
        if (header.cookie() != request.cookie()) {
            throw new NbdProtocolException("reply cookie 0x" + Long.toHexString(header.cookie())
                    + " does not match 0x" + Long.toHexString(request.cookie()) + " of " + request.describe());
        }
        return header;
    }

    private void expectSimpleSuccess(Request request) throws IOException {
        if (!(readHeader(request) instanceof ReplyHeader.Simple simple)) {
            throw new NbdProtocolException("structured reply chunk to " + request.describe()
                    + " although structured replies were not negotiated");
        }
        if (simple.error() != 0) {
            // An error simple reply carries no data, so the stream is still in step.
            throw serverError(request, ErrorPayload.of(simple.error()));
        }
    }

    /**
     * Reads the reply to a command that returns no data (write, write zeroes, flush): a simple
     * reply, or, once structured replies are agreed, optionally a structured one of error chunks
     * and NBD_REPLY_TYPE_NONE, which qemu does not send but the spec allows.
     */
    private void expectDone(Request request) throws IOException {
        ReplyHeader header = readHeader(request);
        if (header instanceof ReplyHeader.Simple simple) {
            if (simple.error() != 0) {
                throw serverError(request, ErrorPayload.of(simple.error()));
            }
            return;
        }
        if (!export.structuredReplies()) {
            throw new NbdProtocolException("structured reply chunk to " + request.describe()
                    + " although structured replies were not negotiated");
        }
        ReplyHeader.Chunk chunk = (ReplyHeader.Chunk) header;
        ErrorPayload error = firstError(null, readOtherChunk(request, chunk));
        while (!chunk.done()) {
            chunk = nextChunk(request);
            error = firstError(error, readOtherChunk(request, chunk));
        }
        if (error != null) {
            throw serverError(request, error);
        }
    }

    private ReplyHeader.Chunk nextChunk(Request request) throws IOException {
        ReplyHeader header = readHeader(request);
        if (header instanceof ReplyHeader.Chunk chunk) {
            return chunk;
        }
        ReplyHeader.Simple simple = (ReplyHeader.Simple) header;
        if (simple.error() != 0) {
            throw serverError(request, ErrorPayload.of(simple.error()));
        }
        // A successful simple reply would leave us guessing whether data follows.
        throw new NbdProtocolException("successful simple reply to " + request.describe()
                + " where a structured reply is required");
    }

    /** Handles chunk types any structured reply may contain; returns the error, if it was one. */
    private ErrorPayload readOtherChunk(Request request, ReplyHeader.Chunk chunk) throws IOException {
        if (chunk.type() == REPLY_TYPE_NONE) {
            if (chunk.length() != 0 || !chunk.done()) {
                throw new NbdProtocolException("NBD_REPLY_TYPE_NONE must be empty and final, in reply to "
                        + request.describe());
            }
            return null;
        }
        if (!chunk.isError()) {
            throw new NbdProtocolException("unexpected " + NbdProtocol.chunkTypeName(chunk.type())
                    + " chunk in reply to " + request.describe());
        }
        ErrorPayload error = ErrorPayload.parse(chunk.type(), payload(request, chunk, ErrorPayload.MAX_SIZE));
        if (error.error() == 0) {
            throw new NbdProtocolException("error chunk with error value 0 in reply to " + request.describe());
        }
        return error;
    }

    private ByteBuffer payload(Request request, ReplyHeader.Chunk chunk, int maxLength) throws IOException {
        if (chunk.lengthUnsigned() > maxLength) {
            throw new NbdProtocolException(NbdProtocol.chunkTypeName(chunk.type()) + " chunk of "
                    + chunk.lengthUnsigned() + " bytes (limit " + maxLength + ") in reply to " + request.describe());
        }
        return channel.read(chunk.length(), NbdProtocol.chunkTypeName(chunk.type()) + " payload");
    }

    private static ErrorPayload firstError(ErrorPayload first, ErrorPayload next) {
        return first != null ? first : next;
    }

    private static NbdServerException serverError(Request request, ErrorPayload error) {
        return new NbdServerException(NbdProtocol.commandName(request.type()), NbdProtocol.errorName(error.error()),
                "at offset " + request.offset() + " length " + request.lengthUnsigned()
                        + (error.message().isEmpty() ? "" : ": " + error.message())
                        + (error.offset().isPresent() ? ", failing offset " + error.offset().getAsLong() : ""));
    }

    /** Drops the part of the last extent beyond the range; only the last may reach beyond it. */
    private static List<Extent> clip(Request request, List<Extent> extents) throws NbdProtocolException {
        long end = request.offset() + request.lengthUnsigned();
        List<Extent> clipped = new ArrayList<>(extents.size());
        for (Extent e : extents) {
            if (e.offset() >= end) {
                throw new NbdProtocolException("block status extent at offset " + e.offset()
                        + " lies beyond " + request.describe());
            }
            clipped.add(e.end() <= end ? e : new Extent(e.offset(), end - e.offset(), e.flags()));
        }
        return clipped;
    }
}
