package io.lifeboat.nbd;

import static io.lifeboat.nbd.NbdProtocol.SIMPLE_REPLY_MAGIC;
import static io.lifeboat.nbd.NbdProtocol.STRUCTURED_REPLY_MAGIC;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The header of a transmission-phase reply: a simple reply, or one chunk of a structured reply.
 * The magic tells them apart, so both are read by {@link #read}.
 *
 * <pre>
 * Simple reply (the only kind unless NBD_OPT_STRUCTURED_REPLY was agreed):
 * S: u32 0x67446698          (NBD_SIMPLE_REPLY_MAGIC)
 * S: u32 error               (0 or an NBD error value such as EIO = 5)
 * S: u64 cookie
 * S: for a successful NBD_CMD_READ, exactly the requested length of data
 *
 * Structured reply chunk:
 * S: u32 0x668e33ef          (NBD_STRUCTURED_REPLY_MAGIC)
 * S: u16 flags               (bit 0 NBD_REPLY_FLAG_DONE: last chunk of this reply)
 * S: u16 type                (NBD_REPLY_TYPE_*; bit 15 set for error chunks)
 * S: u64 cookie
 * S: u32 length of payload   (payload layouts: see {@link ReadReply}, {@link BlockStatusPayload},
 *                             {@link ErrorPayload})
 * </pre>
 */
sealed interface ReplyHeader {

    int SIMPLE_SIZE = 16;
    int CHUNK_SIZE = 20;

    long cookie();

    record Simple(int error, long cookie) implements ReplyHeader {
        ByteBuffer encode() {
            return ByteBuffer.allocate(SIMPLE_SIZE).putInt(SIMPLE_REPLY_MAGIC).putInt(error).putLong(cookie).flip();
        }
    }

    record Chunk(int flags, int type, long cookie, int length) implements ReplyHeader {

        boolean done() {
            return (flags & NbdProtocol.REPLY_FLAG_DONE) != 0;
        }

        boolean isError() {
            return (type & NbdProtocol.REPLY_TYPE_ERROR_BIT) != 0;
        }

        long lengthUnsigned() {
            return Integer.toUnsignedLong(length);
        }

        ByteBuffer encode() {
            return ByteBuffer.allocate(CHUNK_SIZE).putInt(STRUCTURED_REPLY_MAGIC).putShort((short) flags)
                    .putShort((short) type).putLong(cookie).putInt(length).flip();
        }
    }

    static ReplyHeader read(NbdChannel channel) throws IOException {
        int magic = channel.read(Integer.BYTES, "reply magic").getInt();
        if (magic == SIMPLE_REPLY_MAGIC) {
            ByteBuffer b = channel.read(SIMPLE_SIZE - Integer.BYTES, "simple reply header");
            return new Simple(b.getInt(), b.getLong());
        }
        if (magic == STRUCTURED_REPLY_MAGIC) {
            ByteBuffer b = channel.read(CHUNK_SIZE - Integer.BYTES, "structured reply chunk header");
            return new Chunk(Short.toUnsignedInt(b.getShort()), Short.toUnsignedInt(b.getShort()),
                    b.getLong(), b.getInt());
        }
        throw new NbdProtocolException("bad reply magic 0x" + Integer.toHexString(magic));
    }
}
