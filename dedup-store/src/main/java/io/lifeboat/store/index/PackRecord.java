package io.lifeboat.store.index;

import java.nio.ByteBuffer;

/**
 * What the index knows of a sealed pack. Value layout, version 1 (20 bytes, big-endian):
 * file size u64 | chunk count u32 | sealed at u64 (epoch milliseconds).
 */
public record PackRecord(String id, long size, int chunkCount, long sealedAt) {
    byte[] encode() {
        return ByteBuffer.allocate(20).putLong(size).putInt(chunkCount).putLong(sealedAt).array();
    }

    static PackRecord decode(String id, byte[] v) {
        ByteBuffer b = ByteBuffer.wrap(v);
        return new PackRecord(id, b.getLong(), b.getInt(), b.getLong());
    }
}
