package io.lifeboat.restore;

import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.index.ChunkLocation;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.read.DiskRestorer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where a restore gets its restore points and chunks: today an open local {@link Store}. This is
 * the one place the agent touches chunks, so reading from another chunk source (an S3 bucket)
 * means changing this class only.
 */
public final class RestoreSource {
    private final Store store;

    public RestoreSource(Store store) {
        this.store = store;
    }

    public List<RestorePointId> list() throws StoreException {
        return store.list();
    }

    /** The restore point's manifest; NOT_FOUND if there is none. */
    public Manifest manifest(RestorePointId id) throws StoreException {
        return store.manifest(id);
    }

    /**
     * Chunks these disks need that cannot be read: not in the index, or indexed in a pack file
     * that is gone. Each digest once, in disk and slot order.
     */
    public List<Digest> missingChunks(Collection<DiskMap> disks) throws StoreException {
        Set<Digest> missing = new LinkedHashSet<>();
        Map<String, Boolean> packPresent = new HashMap<>();
        for (DiskMap map : disks) {
            for (int s = 0; s < map.slotCount(); s++) {
                Digest d = map.digest(s);
                if (d == null || missing.contains(d)) {
                    continue;
                }
                Optional<ChunkLocation> at = store.index().get(d);
                if (at.isEmpty() || !packPresent.computeIfAbsent(at.get().packId(),
                        id -> Files.isRegularFile(store.packs().packFile(id)))) {
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
        new DiskRestorer(store.index(), store.chunks(), Math.max(2, Runtime.getRuntime().availableProcessors()))
                .restore(targets, true, progress);
    }
}
