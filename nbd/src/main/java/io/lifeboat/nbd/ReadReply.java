package io.lifeboat.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;

/**
 * Assembles the data chunks of a structured reply to one NBD_CMD_READ into the caller's buffer.
 *
 * <pre>
 * NBD_REPLY_TYPE_OFFSET_DATA (1): u64 offset, then (chunk length - 8) bytes of data, at least 1
 * NBD_REPLY_TYPE_OFFSET_HOLE (2): u64 offset, u32 length (not 0) of a run that reads as zeroes
 * </pre>
 *
 * Chunks may come in any order but must lie within the request and must not overlap; a reply
 * without error chunks must cover the whole request. Data is read straight from the socket into
 * its place in the destination, without an intermediate copy.
 */
final class ReadReply {

    static final int HOLE_PAYLOAD_SIZE = Long.BYTES + Integer.BYTES;

    /** A legitimate server sends a read in order or in a few pieces; this bounds a hostile one. */
    private static final int MAX_FRAGMENTS = 1 << 16;
    private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(64 << 10).asReadOnlyBuffer();

    private final Request request;
    private final ByteBuffer destination;
    private final int base;
    /** Ranges received so far, relative to the request offset, start to end, merged when adjacent. */
    private final TreeMap<Long, Long> received = new TreeMap<>();
    private long receivedBytes;

    ReadReply(Request request, ByteBuffer destination) {
        this.request = request;
        this.destination = destination.duplicate();
        this.base = destination.position();
    }

    void readData(ReplyHeader.Chunk chunk, NbdChannel channel) throws IOException {
        long dataLength = chunk.lengthUnsigned() - Long.BYTES;
        if (dataLength <= 0 || dataLength > request.lengthUnsigned()) {
            throw new NbdProtocolException("NBD_REPLY_TYPE_OFFSET_DATA chunk of " + chunk.lengthUnsigned()
                    + " bytes in reply to " + request.describe());
        }
        long offset = channel.read(Long.BYTES, "NBD_REPLY_TYPE_OFFSET_DATA offset").getLong();
        int at = claim(offset, dataLength, "NBD_REPLY_TYPE_OFFSET_DATA");
        ByteBuffer target = destination.duplicate();
        target.limit(base + at + (int) dataLength).position(base + at);
        channel.readFully(target, "NBD_CMD_READ data");
    }

    void readHole(ByteBuffer payload) throws NbdProtocolException {
        if (payload.remaining() != HOLE_PAYLOAD_SIZE) {
            throw new NbdProtocolException("NBD_REPLY_TYPE_OFFSET_HOLE payload of " + payload.remaining()
                    + " bytes in reply to " + request.describe());
        }
        long offset = payload.getLong();
        long length = Integer.toUnsignedLong(payload.getInt());
        if (length == 0) {
            throw new NbdProtocolException("empty NBD_REPLY_TYPE_OFFSET_HOLE in reply to " + request.describe());
        }
        int at = claim(offset, length, "NBD_REPLY_TYPE_OFFSET_HOLE");
        ByteBuffer target = destination.duplicate();
        target.limit(base + at + (int) length).position(base + at);
        while (target.hasRemaining()) {
            ByteBuffer zeroes = ZEROES.duplicate();
            zeroes.limit(Math.min(zeroes.capacity(), target.remaining()));
            target.put(zeroes);
        }
    }

    boolean isComplete() {
        return receivedBytes == request.lengthUnsigned();
    }

    long receivedBytes() {
        return receivedBytes;
    }

    /** Checks that [offset, offset+length) is inside the request and new; returns its relative start. */
    private int claim(long offset, long length, String what) throws NbdProtocolException {
        long start = offset - request.offset();
        long end = start + length;
        if (start < 0 || end > request.lengthUnsigned()) {
            throw new NbdProtocolException(what + " for offset " + offset + " length " + length
                    + " lies outside " + request.describe());
        }
        Map.Entry<Long, Long> before = received.floorEntry(start);
        Map.Entry<Long, Long> after = received.ceilingEntry(start);
        if (before != null && before.getValue() > start || after != null && after.getKey() < end) {
            throw new NbdProtocolException(what + " for offset " + offset + " length " + length
                    + " overlaps data already received for " + request.describe());
        }
        long mergedStart = start;
        long mergedEnd = end;
        if (before != null && before.getValue() == start) {
            mergedStart = before.getKey();
            received.remove(before.getKey());
        }
        if (after != null && after.getKey() == end) {
            mergedEnd = after.getValue();
            received.remove(after.getKey());
        }
        received.put(mergedStart, mergedEnd);
        if (received.size() > MAX_FRAGMENTS) {
            throw new NbdProtocolException("reply to " + request.describe() + " is split into more than "
                    + MAX_FRAGMENTS + " disjoint pieces");
        }
        receivedBytes += length;
        return (int) start;
    }
}
