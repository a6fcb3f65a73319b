package io.lifeboat.store.pack;

import io.lifeboat.store.chunk.Codec;
import io.lifeboat.store.chunk.Digest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Byte layout of a pack file, version 1. All integers are big-endian.
 *
 * <pre>
 * pack    := header frame* footer trailer
 * header  := magic "LBPK" (4) | version u16 = 1 | flags u16 = 0                       8 bytes
 * frame   := magic "LBCK" (4) | codec u8 | reserved u8[3] | raw length u32
 *            | stored length u32 | SHA-256 of the raw chunk (32)
 *            | CRC32C of the 48 bytes before it and of the payload, u32                52 bytes
 *            | payload (stored length bytes)
 * footer  := magic "LBPF" (4) | entry count u32 | entry*
 * entry   := SHA-256 (32) | frame offset u64 | raw length u32 | stored length u32
 *            | codec u8 | reserved u8[3]                                               52 bytes
 * trailer := footer offset u64 | CRC32C of the footer u32 | magic "LBPE" (4)           16 bytes
 * </pre>
 *
 * The pack's id (and file name) is the SHA-256 of its footer: it names every chunk, its place
 * and its encoding, so the id is derived from content and two packs with the same id hold the
 * same chunks. The footer alone is enough to rebuild the index entries of a pack; the frames
 * alone are enough to rebuild the footer. The CRC32C lets verify and restore reject a damaged
 * payload before decompressing it; the SHA-256 is checked after.
 */
public final class PackFormat {
    public static final int VERSION = 1;
    public static final int HEADER_MAGIC = 0x4C42504B; // "LBPK"
    public static final int FRAME_MAGIC = 0x4C42434B; // "LBCK"
    public static final int FOOTER_MAGIC = 0x4C425046; // "LBPF"
    public static final int TRAILER_MAGIC = 0x4C425045; // "LBPE"
    public static final int HEADER_SIZE = 8;
    public static final int FRAME_HEADER_SIZE = 52;
    public static final int ENTRY_SIZE = 52;
    public static final int TRAILER_SIZE = 16;
    public static final String EXTENSION = ".pack";

    private PackFormat() {
    }

    public static byte[] header() {
        return ByteBuffer.allocate(HEADER_SIZE).putInt(HEADER_MAGIC).putShort((short) VERSION).putShort((short) 0).array();
    }

    public static void checkHeader(ByteBuffer b, String pack) throws CorruptPackException {
        int magic = b.getInt();
        int version = b.getShort() & 0xffff;
        if (magic != HEADER_MAGIC) {
            throw new CorruptPackException(pack, "not a pack file (bad magic)");
        }
        if (version != VERSION) {
            throw new CorruptPackException(pack, "pack format version " + version + ", this Lifeboat reads " + VERSION);
        }
    }

    /** Writes a frame header for the payload into {@code dst[0, FRAME_HEADER_SIZE)}. */
    public static void frameHeader(byte[] dst, Digest digest, Codec codec, int rawLength, byte[] payload, int storedLength) {
        ByteBuffer b = ByteBuffer.wrap(dst, 0, FRAME_HEADER_SIZE).order(ByteOrder.BIG_ENDIAN);
        b.putInt(FRAME_MAGIC).put((byte) codec.id).put((byte) 0).put((byte) 0).put((byte) 0)
                .putInt(rawLength).putInt(storedLength);
        digest.writeTo(dst, 16);
        CRC32C crc = new CRC32C();
        crc.update(dst, 0, 48);
        crc.update(payload, 0, storedLength);
        b.position(48);
        b.putInt((int) crc.getValue());
    }

    /** A parsed frame header; {@link #verify} checks the payload against it. */
    public record FrameHeader(Codec codec, int rawLength, int storedLength, Digest digest, int crc, byte[] headerBytes) {
        public boolean crcMatches(byte[] payload) {
            CRC32C c = new CRC32C();
            c.update(headerBytes, 0, 48);
            c.update(payload, 0, storedLength);
            return (int) c.getValue() == crc;
        }
    }

    public static FrameHeader parseFrameHeader(byte[] h, String pack, long offset) throws CorruptPackException {
        ByteBuffer b = ByteBuffer.wrap(h, 0, FRAME_HEADER_SIZE);
        if (b.getInt() != FRAME_MAGIC) {
            throw new CorruptPackException(pack, "no chunk frame at offset " + offset);
        }
        int codecId = b.get() & 0xff;
        b.position(8);
        int raw = b.getInt();
        int stored = b.getInt();
        Digest d = Digest.read(h, 16);
        b.position(48);
        int crc = b.getInt();
        Codec codec;
        try {
            codec = Codec.of(codecId);
        } catch (IllegalArgumentException e) {
            throw new CorruptPackException(pack, "unknown codec " + codecId + " at offset " + offset);
        }
        if (raw <= 0 || stored <= 0 || raw > (64 << 20) || stored > (64 << 20)) {
            throw new CorruptPackException(pack, "implausible chunk lengths at offset " + offset);
        }
        return new FrameHeader(codec, raw, stored, d, crc, h.clone());
    }

    /** One chunk's place in a pack, as listed by the footer. */
    public record Entry(Digest digest, long offset, int rawLength, int storedLength, Codec codec) {
    }

    public static byte[] footer(List<Entry> entries) {
        ByteBuffer b = ByteBuffer.allocate(8 + entries.size() * ENTRY_SIZE);
        b.putInt(FOOTER_MAGIC).putInt(entries.size());
        byte[] d = new byte[Digest.LENGTH];
        for (Entry e : entries) {
            e.digest().writeTo(d, 0);
            b.put(d).putLong(e.offset()).putInt(e.rawLength()).putInt(e.storedLength())
                    .put((byte) e.codec().id).put((byte) 0).put((byte) 0).put((byte) 0);
        }
        return b.array();
    }

    public static byte[] trailer(long footerOffset, byte[] footer) {
        CRC32C crc = new CRC32C();
        crc.update(footer);
        return ByteBuffer.allocate(TRAILER_SIZE).putLong(footerOffset).putInt((int) crc.getValue()).putInt(TRAILER_MAGIC).array();
    }

    public static List<Entry> parseFooter(byte[] footer, String pack) throws CorruptPackException {
        ByteBuffer b = ByteBuffer.wrap(footer);
        if (footer.length < 8 || b.getInt() != FOOTER_MAGIC) {
            throw new CorruptPackException(pack, "bad footer magic");
        }
        int n = b.getInt();
        if (n < 0 || 8L + (long) n * ENTRY_SIZE != footer.length) {
            throw new CorruptPackException(pack, "footer entry count " + n + " does not match its length");
        }
        List<Entry> entries = new ArrayList<>(n);
        byte[] d = new byte[Digest.LENGTH];
        for (int i = 0; i < n; i++) {
            b.get(d);
            long off = b.getLong();
            int raw = b.getInt();
            int stored = b.getInt();
            int codec = b.get() & 0xff;
            b.position(b.position() + 3);
            try {
                entries.add(new Entry(Digest.wrap(d), off, raw, stored, Codec.of(codec)));
            } catch (IllegalArgumentException e) {
                throw new CorruptPackException(pack, "footer entry " + i + ": " + e.getMessage());
            }
        }
        return entries;
    }
}
