package io.lifeboat.nbd;

import static io.lifeboat.nbd.NbdProtocol.IHAVEOPT;
import static io.lifeboat.nbd.NbdProtocol.NBDMAGIC;
import static io.lifeboat.nbd.NbdProtocol.OLDSTYLE_MAGIC;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The first bytes of a newstyle handshake: the server's greeting and the client's flags.
 *
 * <pre>
 * S: u64 0x4e42444d41474943 ("NBDMAGIC")
 * S: u64 0x49484156454f5054 ("IHAVEOPT"; oldstyle servers send 0x00420281861253 instead)
 * S: u16 handshake flags     (bit 0 NBD_FLAG_FIXED_NEWSTYLE, bit 1 NBD_FLAG_NO_ZEROES)
 * C: u32 client flags        (bit 0 NBD_FLAG_C_FIXED_NEWSTYLE, bit 1 NBD_FLAG_C_NO_ZEROES)
 * </pre>
 */
record Greeting(int handshakeFlags) {

    static final int SIZE = 18;

    static Greeting read(NbdChannel channel) throws IOException {
        ByteBuffer b = channel.read(SIZE, "server greeting");
        long magic = b.getLong();
        if (magic != NBDMAGIC) {
            throw new NbdProtocolException("bad greeting magic 0x" + Long.toHexString(magic)
                    + ", expected NBDMAGIC: not an NBD server");
        }
        long style = b.getLong();
        if (style == OLDSTYLE_MAGIC) {
            throw new NbdProtocolException("server uses oldstyle negotiation, which is not supported");
        }
        if (style != IHAVEOPT) {
            throw new NbdProtocolException("bad greeting magic 0x" + Long.toHexString(style)
                    + ", expected IHAVEOPT");
        }
        return new Greeting(Short.toUnsignedInt(b.getShort()));
    }

    void write(NbdChannel channel) throws IOException {
        channel.write(ByteBuffer.allocate(SIZE).putLong(NBDMAGIC).putLong(IHAVEOPT)
                .putShort((short) handshakeFlags).flip());
    }

    static int readClientFlags(NbdChannel channel) throws IOException {
        return channel.read(Integer.BYTES, "client flags").getInt();
    }

    static void writeClientFlags(NbdChannel channel, int clientFlags) throws IOException {
        channel.write(ByteBuffer.allocate(Integer.BYTES).putInt(clientFlags).flip());
    }
}
