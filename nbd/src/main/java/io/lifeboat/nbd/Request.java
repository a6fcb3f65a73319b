package io.lifeboat.nbd;

import static io.lifeboat.nbd.NbdProtocol.REQUEST_MAGIC;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A transmission-phase request.
 *
 * <pre>
 * C: u32 0x25609513          (NBD_REQUEST_MAGIC)
 * C: u16 command flags       (NBD_CMD_FLAG_*)
 * C: u16 type                (NBD_CMD_*)
 * C: u64 cookie              (called "handle" in older texts; echoed by every reply)
 * C: u64 offset
 * C: u32 length              (unsigned)
 * C: length bytes of data, for NBD_CMD_WRITE only
 * </pre>
 */
record Request(int flags, int type, long cookie, long offset, int length) {

    static final int SIZE = 28;

    ByteBuffer encode() {
        return ByteBuffer.allocate(SIZE).putInt(REQUEST_MAGIC).putShort((short) flags)
                .putShort((short) type).putLong(cookie).putLong(offset).putInt(length).flip();
    }

    void write(NbdChannel channel) throws IOException {
        channel.write(encode());
    }

    /** The server side. */
    static Request read(NbdChannel channel) throws IOException {
        ByteBuffer b = channel.read(SIZE, "request");
        int magic = b.getInt();
        if (magic != REQUEST_MAGIC) {
            throw new NbdProtocolException("bad request magic 0x" + Integer.toHexString(magic));
        }
        return new Request(Short.toUnsignedInt(b.getShort()), Short.toUnsignedInt(b.getShort()),
                b.getLong(), b.getLong(), b.getInt());
    }

    long lengthUnsigned() {
        return Integer.toUnsignedLong(length);
    }

    String describe() {
        return NbdProtocol.commandName(type) + " at offset " + offset + " length " + lengthUnsigned();
    }
}
