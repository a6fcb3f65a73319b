package io.lifeboat.store.chunk;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/** SHA-256 of a chunk's raw bytes: the chunk's name everywhere in the store. */
public final class Digest implements Comparable<Digest> {
    public static final int LENGTH = 32;
    private static final HexFormat HEX = HexFormat.of();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Digest::newSha256);

    private final byte[] bytes;

    private Digest(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Digest of(byte[] data, int off, int len) {
        MessageDigest md = SHA256.get();
        md.update(data, off, len);
        return new Digest(md.digest());
    }

    public static Digest wrap(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("digest must be 32 bytes, got " + bytes.length);
        }
        return new Digest(bytes.clone());
    }

    public static Digest read(byte[] src, int off) {
        return new Digest(Arrays.copyOfRange(src, off, off + LENGTH));
    }

    public static Digest parse(String hex) {
        return wrap(HEX.parseHex(hex));
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    public void writeTo(byte[] dst, int off) {
        System.arraycopy(bytes, 0, dst, off, LENGTH);
    }

    public String hex() {
        return HEX.formatHex(bytes);
    }

    public boolean matches(byte[] data, int off, int len) {
        MessageDigest md = SHA256.get();
        md.update(data, off, len);
        return MessageDigest.isEqual(bytes, md.digest());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Digest d && Arrays.equals(bytes, d.bytes);
    }

    @Override
    public int hashCode() {
        // SHA-256 output is uniformly distributed: its first four bytes are a good hash.
        return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
    }

    @Override
    public int compareTo(Digest o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
