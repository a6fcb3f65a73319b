package io.lifeboat.nbd;

import java.nio.ByteBuffer;

/**
 * The data of an NBD_REP_META_CONTEXT reply: a context the server selected and the id that
 * NBD_REPLY_TYPE_BLOCK_STATUS chunks will carry for it.
 *
 * <pre>
 * u32 context id (chosen by the server)
 * context name (UTF-8, the rest of the reply)
 * </pre>
 */
record MetaContextReply(int contextId, String name) {

    static MetaContextReply parse(ByteBuffer data) throws NbdProtocolException {
        ByteBuffer b = data.duplicate();
        if (b.remaining() < Integer.BYTES || b.remaining() > Integer.BYTES + NbdProtocol.MAX_STRING_LENGTH) {
            throw new NbdProtocolException("NBD_REP_META_CONTEXT reply of bad length " + b.remaining());
        }
        int id = b.getInt();
        return new MetaContextReply(id, WireStrings.get(b, b.remaining()));
    }

    ByteBuffer encode() {
        byte[] bytes = WireStrings.encode(name, "meta context");
        return ByteBuffer.allocate(Integer.BYTES + bytes.length).putInt(contextId).put(bytes).flip();
    }
}
