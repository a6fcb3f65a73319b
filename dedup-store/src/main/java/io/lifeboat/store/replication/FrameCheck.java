package io.lifeboat.store.replication;

import io.lifeboat.store.chunk.ChunkCompressor;
import io.lifeboat.store.pack.CorruptPackException;
import io.lifeboat.store.pack.PackFormat;
import io.lifeboat.store.pack.PackReader;

/** Checks one frame read from a bucket against the footer entry that points at it. */
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
}
