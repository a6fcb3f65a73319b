package io.lifeboat.store;

import io.lifeboat.store.chunk.ChunkGrid;

/**
 * The store's fixed parameters, written once to {@code lifeboat-store.json} at init.
 *
 * @param format         always {@value #FORMAT}: tells a Lifeboat store from any other directory
 * @param version        the layout version of the whole store (packs, index, manifests)
 * @param id             random id of this store, for logs and replication
 * @param chunkSize      bytes per grid slot for new backups (a power of two)
 * @param zstdLevel      zstd level for new chunks
 * @param packTargetSize a pack is sealed once it reaches this many bytes
 */
public record StoreConfig(String format, int version, String id, int chunkSize, int zstdLevel, long packTargetSize) {
    public static final String FORMAT = "lifeboat-store";
    public static final int VERSION = 1;
    /** Chosen by measurement: see docs/store-format.md, "Choosing the chunk size". */
    public static final int DEFAULT_CHUNK_SIZE = 256 << 10;
    /**
     * zstd level 1, as Proxmox Backup Server uses: on 256 KiB chunks it compresses about 1.5x
     * faster than level 3 for about 5 % more stored bytes, and compression is what bounds a full
     * backup's speed once holes and unchanged blocks are skipped (docs/store-format.md).
     */
    public static final int DEFAULT_ZSTD_LEVEL = 1;
    public static final long DEFAULT_PACK_TARGET = 32L << 20;

    public static StoreConfig defaults() {
        return new StoreConfig(FORMAT, VERSION, java.util.UUID.randomUUID().toString(),
                DEFAULT_CHUNK_SIZE, DEFAULT_ZSTD_LEVEL, DEFAULT_PACK_TARGET);
    }

    public StoreConfig withChunkSize(int size) {
        return new StoreConfig(format, version, id, size, zstdLevel, packTargetSize);
    }

    public StoreConfig withZstdLevel(int level) {
        return new StoreConfig(format, version, id, chunkSize, level, packTargetSize);
    }

    public StoreConfig withPackTargetSize(long size) {
        return new StoreConfig(format, version, id, chunkSize, zstdLevel, size);
    }

    /** Rejects parameters no store should be created with. */
    public void validate() {
        ChunkGrid.validateChunkSize(chunkSize);
        if (zstdLevel < 1 || zstdLevel > 19) {
            throw new IllegalArgumentException("zstd level must be between 1 and 19, got " + zstdLevel);
        }
        if (packTargetSize < (1 << 20) || packTargetSize > (1L << 30)) {
            throw new IllegalArgumentException("pack size must be between 1 MiB and 1 GiB, got " + packTargetSize);
        }
    }
}
