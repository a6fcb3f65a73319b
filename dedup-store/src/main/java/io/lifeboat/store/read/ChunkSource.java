package io.lifeboat.store.read;

import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.Digest;

/**
 * Where a reader gets chunks by digest: the local store ({@link ChunkReader}), a bucket read
 * lazily through a cache ({@code io.lifeboat.store.replication.BucketChunks}), or both in turn
 * ({@link TieredChunks}). Every implementation returns only bytes whose SHA-256 is the digest.
 */
public interface ChunkSource {
    /**
     * The chunk's raw bytes, in a new array the caller may keep. Throws NOT_FOUND if the source
     * does not have the chunk and CORRUPT if what it has is damaged.
     */
    byte[] read(Digest d) throws StoreException;

    /**
     * Whether the source knows where the chunk is, without reading it: what a restore checks for
     * every chunk before it writes anything. A chunk it has may still turn out damaged on read.
     */
    boolean has(Digest d) throws StoreException;
}
