package io.lifeboat.store.pack;

import io.lifeboat.store.chunk.Digest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
     * expects, with an intact payload. Decompression and the SHA-256 check are the caller's.
     */
    public Frame readFrame(long offset, Digest expected, int storedLength) throws IOException {
        byte[] h = new byte[PackFormat.FRAME_HEADER_SIZE];
        readFully(ByteBuffer.wrap(h), offset);
        PackFormat.FrameHeader fh = PackFormat.parseFrameHeader(h, id, offset);
        if (!fh.digest().equals(expected)) {
            throw new CorruptPackException(id, "frame at offset " + offset + " holds chunk " + fh.digest()
                    + ", expected " + expected);
        }
        if (fh.storedLength() != storedLength) {
            throw new CorruptPackException(id, "frame at offset " + offset + " has stored length " + fh.storedLength()
                    + ", index says " + storedLength);
        }
        byte[] payload = new byte[fh.storedLength()];
        readFully(ByteBuffer.wrap(payload), offset + PackFormat.FRAME_HEADER_SIZE);
        if (!fh.crcMatches(payload)) {
            throw new CorruptPackException(id, "checksum mismatch in chunk " + expected + " at offset " + offset);
        }
        return new Frame(fh, payload);
    }

    public record Frame(PackFormat.FrameHeader header, byte[] payload) {
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
