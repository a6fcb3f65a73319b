package io.lifeboat.nbd;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The payload of an NBD_REPLY_TYPE_BLOCK_STATUS chunk: the status of consecutive extents of one
 * meta context, starting at the request's offset.
 *
 * <pre>
 * u32 context id             (as returned in NBD_REP_META_CONTEXT)
 * per extent, at least one:
 *   u32 length               (unsigned, never 0)
 *   u32 status flags         (meaning per context: see {@link Extent})
 * </pre>
 *
 * The server sends one such chunk per selected context for each NBD_CMD_BLOCK_STATUS. Extents
 * may cover less than the requested range; only the last one may reach beyond it.
 */
record BlockStatusPayload(int contextId, List<Extent> extents) {

    static final int DESCRIPTOR_SIZE = 2 * Integer.BYTES;

    BlockStatusPayload {
        extents = List.copyOf(extents);
    }

    /** Whether {@code length} can be a payload: the id plus a whole number of descriptors. */
    static boolean isWellFormedLength(long length) {
        return length >= Integer.BYTES + DESCRIPTOR_SIZE && (length - Integer.BYTES) % DESCRIPTOR_SIZE == 0;
    }

    /** Decodes a payload whose first extent starts at {@code offset}. */
    static BlockStatusPayload parse(ByteBuffer payload, long offset) throws NbdProtocolException {
        ByteBuffer b = payload.duplicate();
        if (!isWellFormedLength(b.remaining())) {
            throw new NbdProtocolException("block status payload of " + b.remaining() + " bytes");
        }
        int contextId = b.getInt();
        List<Extent> extents = new ArrayList<>(b.remaining() / DESCRIPTOR_SIZE);
        long position = offset;
        while (b.hasRemaining()) {
            long length = Integer.toUnsignedLong(b.getInt());
            int flags = b.getInt();
            if (length == 0) {
                throw new NbdProtocolException("block status extent of length 0 at offset " + position);
            }
            extents.add(new Extent(position, length, flags));
            position += length;
        }
        return new BlockStatusPayload(contextId, extents);
    }

    ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(Integer.BYTES + DESCRIPTOR_SIZE * extents.size()).putInt(contextId);
        for (Extent e : extents) {
            if (e.length() > 0xffff_ffffL) {
                throw new IllegalArgumentException("extent too long for one descriptor: " + e);
            }
            b.putInt((int) e.length()).putInt(e.flags());
        }
        return b.flip();
    }
}
