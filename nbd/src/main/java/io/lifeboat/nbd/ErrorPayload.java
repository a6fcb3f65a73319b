package io.lifeboat.nbd;

import java.nio.ByteBuffer;
import java.util.OptionalLong;

/**
 * The payload of an error chunk of a structured reply.
 *
 * <pre>
 * NBD_REPLY_TYPE_ERROR (0x8001) and any other type with bit 15 set:
 *   u32 error (NBD error value), u16 message length, message (UTF-8)
 * NBD_REPLY_TYPE_ERROR_OFFSET (0x8002):
 *   the same, then u64 offset of the failing byte
 * </pre>
 */
record ErrorPayload(int error, String message, OptionalLong offset) {

    static final int MIN_SIZE = Integer.BYTES + Short.BYTES;
    /** Largest well-formed payload: header, a 4096-byte message and an offset. */
    static final int MAX_SIZE = MIN_SIZE + NbdProtocol.MAX_STRING_LENGTH + Long.BYTES;

    static ErrorPayload parse(int type, ByteBuffer payload) throws NbdProtocolException {
        ByteBuffer b = payload.duplicate();
        if (b.remaining() < MIN_SIZE) {
            throw new NbdProtocolException(NbdProtocol.chunkTypeName(type) + " payload of " + b.remaining() + " bytes");
        }
        int error = b.getInt();
        int messageLength = Short.toUnsignedInt(b.getShort());
        int trailer = type == NbdProtocol.REPLY_TYPE_ERROR_OFFSET ? Long.BYTES : 0;
        // Unknown error types may carry more after the message; the known ones must fit exactly.
        boolean known = type == NbdProtocol.REPLY_TYPE_ERROR || type == NbdProtocol.REPLY_TYPE_ERROR_OFFSET;
        if (messageLength + trailer > b.remaining() || known && messageLength + trailer != b.remaining()) {
            throw new NbdProtocolException(NbdProtocol.chunkTypeName(type) + " message length " + messageLength
                    + " does not match its payload of " + payload.remaining() + " bytes");
        }
        String message = WireStrings.get(b, messageLength);
        OptionalLong offset = trailer > 0 ? OptionalLong.of(b.getLong()) : OptionalLong.empty();
        return new ErrorPayload(error, message, offset);
    }

    ByteBuffer encode() {
        byte[] text = WireStrings.encode(message, "error message");
        ByteBuffer b = ByteBuffer.allocate(MIN_SIZE + text.length + (offset.isPresent() ? Long.BYTES : 0));
        b.putInt(error).putShort((short) text.length).put(text);
        offset.ifPresent(b::putLong);
        return b.flip();
    }

    int type() {
        return offset.isPresent() ? NbdProtocol.REPLY_TYPE_ERROR_OFFSET : NbdProtocol.REPLY_TYPE_ERROR;
    }

    /** An error without message or offset, as a simple reply carries it. */
    static ErrorPayload of(int error) {
        return new ErrorPayload(error, "", OptionalLong.empty());
    }
}
