package io.lifeboat.store.replication;

import io.lifeboat.store.chunk.ChunkCompressor;
import io.lifeboat.store.pack.CorruptPackException;
import io.lifeboat.store.pack.PackFormat;
import io.lifeboat.store.pack.PackReader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;

/** Checks frames read from a bucket against the footer entries that point at them. */
final class FrameCheck {
    private FrameCheck() {
    }

    /**
     * Checks, in order: frame magic, that it holds the expected digest, lengths and codec, the
     * CRC32C of header and payload, decompression to exactly the raw length into {@code raw}, and
     * the SHA-256 of the result. Returns what is wrong, or null if the chunk is intact.
     */
    static String check(String packId, PackFormat.Entry e, byte[] frame, ChunkCompressor codec, byte[] raw) {
        try {
            PackReader.Frame f = PackReader.Frame.of(frame, packId, e.offset(), e.digest(), e.storedLength());
            if (f.header().codec() != e.codec()) {
                return "frame codec disagrees with the footer";
            }
            f.decodeInto(codec, raw, e.rawLength(), packId);
            return null;
        } catch (CorruptPackException ex) {
            return ex.getMessage();
        }
    }

    /**
     * Checks every frame of a pack downloaded from a bucket to {@code file}, whose footer gave
     * {@code entries}; throws naming the first damaged chunk.
     */
    static void checkEvery(String packId, Path file, List<PackFormat.Entry> entries, ChunkCompressor codec)
            throws IOException {
        try (FileChannel ch = FileChannel.open(file)) {
            byte[] raw = new byte[0];
            for (PackFormat.Entry e : entries) {
                byte[] frame = new byte[PackFormat.FRAME_HEADER_SIZE + e.storedLength()];
                readFully(packId, ch, e.offset(), frame);
                if (raw.length < e.rawLength()) {
                    raw = new byte[e.rawLength()];
                }
                String problem = check(packId, e, frame, codec, raw);
                if (problem != null) {
                    throw new CorruptPackException(packId, "chunk " + e.digest() + " at offset " + e.offset() + ": " + problem);
                }
            }
        }
    }

    private static void readFully(String id, FileChannel ch, long offset, byte[] dst) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(dst);
        while (b.hasRemaining()) {
            if (ch.read(b, offset + b.position()) < 0) {
                throw new CorruptPackException(id, "frame at offset " + offset + " runs past the end");
            }
        }
    }
}
