package io.lifeboat.nbd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Strings on the wire: UTF-8, not NUL-terminated, at most 4096 bytes, their length carried
 * either by a preceding u32 or by the end of the enclosing message.
 */
final class WireStrings {

    private WireStrings() {
    }

    static byte[] encode(String s, String what) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > NbdProtocol.MAX_STRING_LENGTH || s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " must be at most "
                    + NbdProtocol.MAX_STRING_LENGTH + " UTF-8 bytes without NUL: " + s);
        }
        return bytes;
    }

    /** Reads a u32 length and that many bytes of string. */
    static String getPrefixed(ByteBuffer b, String what) throws NbdProtocolException {
        if (b.remaining() < Integer.BYTES) {
            throw new NbdProtocolException(what + ": length field truncated");
        }
        long length = Integer.toUnsignedLong(b.getInt());
        if (length > Math.min(b.remaining(), NbdProtocol.MAX_STRING_LENGTH)) {
            throw new NbdProtocolException(what + ": length " + length + " exceeds the "
                    + b.remaining() + " bytes left or the 4096-byte limit");
        }
        return get(b, (int) length);
    }

    /** Reads {@code length} bytes of string; the caller has checked the bound. */
    static String get(ByteBuffer b, int length) {
        byte[] bytes = new byte[length];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static void putPrefixed(ByteBuffer b, byte[] bytes) {
        b.putInt(bytes.length).put(bytes);
    }
}
