package io.lifeboat.store.pack;

import io.lifeboat.store.chunk.ChunkCompressor;
import io.lifeboat.store.chunk.Digest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/** Reads one sealed pack: its footer, and single frames verified against their CRC32C. */
public final class PackReader implements AutoCloseable {
    private final String id;
    private final FileChannel channel;

    public PackReader(String id, Path file) throws IOException {
        this.id = id;
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
    }

    public String id() {
        return id;
    }

    public long size() throws IOException {
        return channel.size();
    }

    /** The footer's entries; checks the header, the trailer and the footer's checksum. */
    public List<PackFormat.Entry> entries() throws IOException {
        long size = channel.size();
        if (size < PackFormat.HEADER_SIZE + 8 + PackFormat.TRAILER_SIZE) {
            throw new CorruptPackException(id, "truncated (" + size + " bytes)");
        }
        ByteBuffer h = ByteBuffer.allocate(PackFormat.HEADER_SIZE);
        readFully(h, 0);
        PackFormat.checkHeader(h.flip(), id);
        ByteBuffer t = ByteBuffer.allocate(PackFormat.TRAILER_SIZE);
        readFully(t, size - PackFormat.TRAILER_SIZE);
        t.flip();
        long footerOffset = t.getLong();
        int crc = t.getInt();
        if (t.getInt() != PackFormat.TRAILER_MAGIC) {
            throw new CorruptPackException(id, "bad trailer magic (truncated or not sealed)");
        }
        long footerLen = size - PackFormat.TRAILER_SIZE - footerOffset;
        if (footerOffset < PackFormat.HEADER_SIZE || footerLen < 8 || footerLen > Integer.MAX_VALUE) {
            throw new CorruptPackException(id, "bad footer offset " + footerOffset);
        }
        byte[] footer = new byte[(int) footerLen];
        readFully(ByteBuffer.wrap(footer), footerOffset);
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(footer);
        if ((int) c.getValue() != crc) {
            throw new CorruptPackException(id, "footer checksum mismatch");
        }
        if (!PackId.of(footer).equals(id)) {
            throw new CorruptPackException(id, "footer does not match the pack's id");
        }
        return PackFormat.parseFooter(footer, id);
    }

    /**
     * Reads the frame at {@code offset} into a new array and checks it is the chunk the caller
     * expects, with an intact payload; {@link Frame#decodeInto} does the rest.
     */
    public Frame readFrame(long offset, Digest expected, int storedLength) throws IOException {
        byte[] h = new byte[PackFormat.FRAME_HEADER_SIZE];
        readFully(ByteBuffer.wrap(h), offset);
        PackFormat.FrameHeader fh = PackFormat.parseFrameHeader(h, id, offset);
        Frame.checkHeader(fh, id, offset, expected, storedLength);
        byte[] payload = new byte[fh.storedLength()];
        readFully(ByteBuffer.wrap(payload), offset + PackFormat.FRAME_HEADER_SIZE);
        return Frame.checked(fh, payload, id, offset);
    }

    /**
     * One chunk frame whose header is the expected one and whose payload passed its CRC32C. Every
     * reader of frames (the store, verify, a reader of a bucket) goes through these checks.
     */
    public record Frame(PackFormat.FrameHeader header, byte[] payload) {
        /** Parses and checks a whole frame fetched as bytes (e.g. by a ranged GET from a bucket). */
        public static Frame of(byte[] frame, String pack, long offset, Digest expected, int storedLength)
                throws CorruptPackException {
            if (frame.length != PackFormat.FRAME_HEADER_SIZE + storedLength) {
                throw new CorruptPackException(pack, "frame at offset " + offset + " is " + frame.length + " bytes, expected "
                        + (PackFormat.FRAME_HEADER_SIZE + storedLength));
            }
            PackFormat.FrameHeader fh = PackFormat.parseFrameHeader(frame, pack, offset);
            checkHeader(fh, pack, offset, expected, storedLength);
            return checked(fh, Arrays.copyOfRange(frame, PackFormat.FRAME_HEADER_SIZE, frame.length), pack, offset);
        }

        private static void checkHeader(PackFormat.FrameHeader fh, String pack, long offset, Digest expected,
                                        int storedLength) throws CorruptPackException {
            if (!fh.digest().equals(expected)) {
                throw new CorruptPackException(pack, "frame at offset " + offset + " holds chunk " + fh.digest()
                        + ", expected " + expected);
            }
            if (fh.storedLength() != storedLength) {
                throw new CorruptPackException(pack, "frame at offset " + offset + " has stored length "
                        + fh.storedLength() + ", expected " + storedLength);
            }
        }

        private static Frame checked(PackFormat.FrameHeader fh, byte[] payload, String pack, long offset)
                throws CorruptPackException {
            if (!fh.crcMatches(payload)) {
                throw new CorruptPackException(pack, "checksum mismatch in chunk " + fh.digest() + " at offset " + offset);
            }
            return new Frame(fh, payload);
        }

        /**
         * Decompresses into {@code dst[0, rawLength)} and checks the result's SHA-256: the chunk
         * is intact only if this returns. {@code rawLength} is what the index or footer says.
         */
        public void decodeInto(ChunkCompressor codec, byte[] dst, int rawLength, String pack) throws CorruptPackException {
            if (header.rawLength() != rawLength) {
                throw new CorruptPackException(pack, "chunk " + header.digest() + " raw length " + header.rawLength()
                        + " disagrees with the index (" + rawLength + ")");
            }
            try {
                codec.decode(header.codec(), payload, header.storedLength(), dst, rawLength);
            } catch (RuntimeException e) {
                throw new CorruptPackException(pack, "chunk " + header.digest() + " does not decompress: " + e.getMessage());
            }
            if (!header.digest().matches(dst, 0, rawLength)) {
                throw new CorruptPackException(pack, "chunk " + header.digest() + " content does not match its digest");
            }
        }
    }

    private void readFully(ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = channel.read(b, pos);
            if (n < 0) {
                throw new CorruptPackException(id, "unexpected end of file at offset " + pos);
            }
            pos += n;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
