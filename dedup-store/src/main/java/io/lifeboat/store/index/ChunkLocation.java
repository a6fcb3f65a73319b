package io.lifeboat.store.index;

import io.lifeboat.store.chunk.Codec;
import io.lifeboat.store.chunk.Digest;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * Where a chunk lives, and when a backup or GC last vouched for it.
 *
 * <p>Index value layout, version 1 (57 bytes, big-endian): pack id (32, the raw SHA-256 behind
 * the hex name) | frame offset u64 | raw length u32 | stored length u32 | codec u8 | touched u64
 * (epoch milliseconds of the last backup that referenced the chunk, or of the GC mark that found
 * it referenced; GC sweeps chunks touched before its cutoff).
 */
public record ChunkLocation(String packId, long offset, int rawLength, int storedLength, Codec codec, long touched) {
    static final int VALUE_SIZE = 57;
    private static final HexFormat HEX = HexFormat.of();

    byte[] encode() {
        return ByteBuffer.allocate(VALUE_SIZE).put(HEX.parseHex(packId)).putLong(offset).putInt(rawLength)
                .putInt(storedLength).put((byte) codec.id).putLong(touched).array();
    }

    static ChunkLocation decode(byte[] v) {
        if (v.length != VALUE_SIZE) {
            throw new IllegalStateException("index value of " + v.length + " bytes, expected " + VALUE_SIZE);
        }
        ByteBuffer b = ByteBuffer.wrap(v);
        byte[] pack = new byte[Digest.LENGTH];
        b.get(pack);
        return new ChunkLocation(HEX.formatHex(pack), b.getLong(), b.getInt(), b.getInt(), Codec.of(b.get() & 0xff), b.getLong());
    }

    ChunkLocation touchedAt(long millis) {
        return new ChunkLocation(packId, offset, rawLength, storedLength, codec, millis);
    }
}
