/**
 * What a chunk is: fixed-size slices of a disk ({@link io.lifeboat.store.chunk.ChunkGrid}), named
 * by the SHA-256 of their bytes ({@link io.lifeboat.store.chunk.Digest}), compressed with zstd
 * ({@link io.lifeboat.store.chunk.ChunkCompressor}), or kept raw ({@link io.lifeboat.store.chunk.Codec}).
 */
package io.lifeboat.store.chunk;
