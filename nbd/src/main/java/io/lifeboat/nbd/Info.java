package io.lifeboat.nbd;

import java.nio.ByteBuffer;

/**
 * The data of an NBD_REP_INFO reply to NBD_OPT_GO: one item of information about the export.
 *
 * <pre>
 * u16 information type (NBD_INFO_*)
 * NBD_INFO_EXPORT (0):      u64 export size, u16 transmission flags
 * NBD_INFO_NAME (1):        export name (UTF-8, the rest of the reply)
 * NBD_INFO_DESCRIPTION (2): description (UTF-8, the rest of the reply)
 * NBD_INFO_BLOCK_SIZE (3):  u32 minimum, u32 preferred, u32 maximum block size
 * other types:              type-specific, ignored by the client
 * </pre>
 *
 * Also the replies to NBD_OPT_INFO, which has the same layout but stays in the handshake.
 */
sealed interface Info {

    /** Size and transmission flags; the server must send this one before acknowledging GO. */
    record Export(long size, int transmissionFlags) implements Info {
        ByteBuffer encode() {
            return ByteBuffer.allocate(12).putShort((short) NbdProtocol.INFO_EXPORT)
                    .putLong(size).putShort((short) transmissionFlags).flip();
        }
    }

    /** Alignment and size limits for requests; {@code maximum} is unsigned. */
    record BlockSize(int minimum, int preferred, int maximum) implements Info {

        /** What a client assumes when the server sends no NBD_INFO_BLOCK_SIZE. */
        static final BlockSize DEFAULT = new BlockSize(1, 4096, NbdProtocol.DEFAULT_MAX_BLOCK_SIZE);

        long maximumUnsigned() {
            return Integer.toUnsignedLong(maximum);
        }

        ByteBuffer encode() {
            return ByteBuffer.allocate(14).putShort((short) NbdProtocol.INFO_BLOCK_SIZE)
                    .putInt(minimum).putInt(preferred).putInt(maximum).flip();
        }

        // The spec's constraints; anything else would make request splitting misbehave.
        void validate() throws NbdProtocolException {
            boolean ok = minimum > 0 && minimum <= 64 << 10 && Integer.bitCount(minimum) == 1
                    && preferred >= minimum && Integer.bitCount(preferred) == 1
                    && maximumUnsigned() >= minimum
                    && (maximum == -1 || maximumUnsigned() % minimum == 0);
            if (!ok) {
                throw new NbdProtocolException("NBD_INFO_BLOCK_SIZE has inconsistent sizes: minimum "
                        + minimum + ", preferred " + Integer.toUnsignedString(preferred)
                        + ", maximum " + Integer.toUnsignedString(maximum));
            }
        }
    }

    /** The export's canonical name; a server sends it only when asked. */
    record Name(String name) implements Info {
        ByteBuffer encode() {
            return text(NbdProtocol.INFO_NAME, WireStrings.encode(name, "export name"));
        }
    }

    /** Free text about the export for humans; a server sends it only when asked. */
    record Description(String description) implements Info {
        ByteBuffer encode() {
            return text(NbdProtocol.INFO_DESCRIPTION, WireStrings.encode(description, "export description"));
        }
    }

    record Other(int type) implements Info {
    }

    private static ByteBuffer text(int type, byte[] bytes) {
        return ByteBuffer.allocate(Short.BYTES + bytes.length).putShort((short) type).put(bytes).flip();
    }

    static Info parse(ByteBuffer data) throws NbdProtocolException {
        ByteBuffer b = data.duplicate();
        if (b.remaining() < Short.BYTES) {
            throw new NbdProtocolException("NBD_REP_INFO reply without an information type");
        }
        int type = Short.toUnsignedInt(b.getShort());
        switch (type) {
            case NbdProtocol.INFO_EXPORT -> {
                expectLength(b, Long.BYTES + Short.BYTES, "NBD_INFO_EXPORT");
                long size = b.getLong();
                if (size < 0) {
                    throw new NbdProtocolException("NBD_INFO_EXPORT size " + Long.toUnsignedString(size)
                            + " is beyond what this client can address");
                }
                return new Export(size, Short.toUnsignedInt(b.getShort()));
            }
            case NbdProtocol.INFO_BLOCK_SIZE -> {
                expectLength(b, 3 * Integer.BYTES, "NBD_INFO_BLOCK_SIZE");
                BlockSize sizes = new BlockSize(b.getInt(), b.getInt(), b.getInt());
                sizes.validate();
                return sizes;
            }
            case NbdProtocol.INFO_NAME, NbdProtocol.INFO_DESCRIPTION -> {
                if (b.remaining() > NbdProtocol.MAX_STRING_LENGTH) {
                    throw new NbdProtocolException("NBD_REP_INFO text of " + b.remaining() + " bytes");
                }
                String text = WireStrings.get(b, b.remaining());
                return type == NbdProtocol.INFO_NAME ? new Name(text) : new Description(text);
            }
            default -> {
                return new Other(type);
            }
        }
    }

    private static void expectLength(ByteBuffer b, int length, String what) throws NbdProtocolException {
        if (b.remaining() != length) {
            throw new NbdProtocolException(what + " information has " + b.remaining()
                    + " bytes after its type, expected " + length);
        }
    }
}
