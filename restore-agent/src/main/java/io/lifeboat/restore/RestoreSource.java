package io.lifeboat.restore;

import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.read.ChunkSource;
import io.lifeboat.store.read.DiskRestorer;
import io.lifeboat.store.read.TieredChunks;
import io.lifeboat.store.replication.BucketChunks;
import io.lifeboat.store.replication.BucketReader;
import io.lifeboat.store.replication.S3Target;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a restore gets its restore points and chunks: an open local {@link Store}, or an S3 bucket
 * alone (restore points listed from the bucket, chunks read through a size-bounded on-disk cache,
 * {@link BucketChunks}), optionally preferring a local store for the chunks it has. Full
 * restores, single-disk restores and instant recovery all read through this one class.
 */
public final class RestoreSource implements AutoCloseable {
    private final Store store;
    private final BucketReader bucket;
    private final BucketChunks bucketChunks;
    private final ChunkSource chunks;

    /** A local store, which the caller keeps open and closes. */
    public RestoreSource(Store store) {
        this(store, null, null, store.chunks());
    }

    /**
     * A local store whose chunks are read through {@code chunks} (the store's own, wrapped: metered,
     * or held by a test); which chunks it has is still the store's index and packs.
     */
    public RestoreSource(Store store, ChunkSource chunks) {
        this(store, null, null, chunks);
    }

    private RestoreSource(Store store, BucketReader bucket, BucketChunks bucketChunks, ChunkSource chunks) {
        this.store = store;
        this.bucket = bucket;
        this.bucketChunks = bucketChunks;
        this.chunks = chunks;
    }

    /**
     * A bucket: its restore points, its chunks through a cache in {@code cacheDir} of at most
     * {@code cacheBytes} (the cache's index is built from the packs' footers on first use). With
     * {@code near}, chunks that store has are read from it and only the rest from the bucket.
     */
    public static RestoreSource bucket(S3Target target, Path cacheDir, long cacheBytes, Store near) throws StoreException {
        BucketReader reader = new BucketReader(target);
        BucketChunks remote = BucketChunks.open(reader, cacheDir, cacheBytes);
        return new RestoreSource(near, reader, remote, near == null ? remote : new TieredChunks(near.chunks(), remote));
    }

    /** The restore points are the bucket's (every one listed is replicated), not a local store's. */
    public boolean fromBucket() {
        return bucket != null;
    }

    public List<RestorePointId> list() throws StoreException {
        return bucket != null ? bucket.restorePoints() : store.list();
    }

    /** The restore point's manifest; NOT_FOUND if there is none. */
    public Manifest manifest(RestorePointId id) throws StoreException {
        return bucket != null ? bucket.manifest(id) : store.manifest(id);
    }

    /** Where chunks are read from (an NBD export of instant recovery reads through it too). */
    public ChunkSource chunks() {
        return chunks;
    }

    /**
     * Chunks these disks need that cannot be read: in no pack the source knows of (for a local
     * store: not in the index, or indexed in a pack file that is gone). Each digest once, in disk
     * and slot order.
     */
    public List<Digest> missingChunks(Collection<DiskMap> disks) throws StoreException {
        Set<Digest> missing = new LinkedHashSet<>();
        for (DiskMap map : disks) {
            for (int s = 0; s < map.slotCount(); s++) {
                Digest d = map.digest(s);
                if (d == null || missing.contains(d)) {
                    continue;
                }
                if (!chunks.has(d)) {
                    missing.add(d);
                }
            }
        }
        return new ArrayList<>(missing);
    }

    /**
     * Writes each disk as a sparse raw file at its path (replacing what is there), through a
     * hidden partial file that is renamed only when the disk is complete.
     */
    public void writeRaw(Map<DiskMap, Path> targets, Progress progress) throws StoreException {
        new DiskRestorer(chunks, Math.max(2, Runtime.getRuntime().availableProcessors())).restore(targets, true, progress);
    }

    /** Closes the bucket's cache, if this source opened one; a local store stays the caller's. */
    @Override
    public void close() {
        if (bucketChunks != null) {
            bucketChunks.close();
        }
    }
}
