package io.lifeboat.store.replication;

import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.index.ChunkLocation;
import io.lifeboat.store.index.PackRecord;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.ManifestFormat;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.pack.PackReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Copies a store's sealed packs and its manifests to a bucket ({@link BucketLayout}), sending only
 * what the bucket lacks.
 *
 * <p>The bucket itself is the replication state: each run lists {@code packs/} and
 * {@code manifests/} once (one LIST request per thousand objects) and uploads the difference, so
 * a run interrupted at any point resumes without re-sending what arrived, and two appliances or a
 * rebuilt appliance need no local bookkeeping to agree on what is there. A pack is in the bucket
 * only once its upload completed (S3 PUTs and multipart completions are atomic).
 *
 * <p>Order: a manifest is uploaded only after every pack the local index places its chunks in is
 * in the bucket; a pack it needs that is not there yet (sealed after the listing, or the target of
 * a repack) is uploaded first. So a reader never sees a restore point whose chunks are missing.
 */
public final class Replicator {
    private final Store store;
    private final S3Target target;

    public Replicator(Store store, S3Target target) {
        this.store = store;
        this.target = target;
    }

    public ReplicationReport run(Progress progress) throws StoreException {
        Run run = new Run();
        if (!target.exists(BucketLayout.CONFIG_KEY)) {
            try {
                byte[] config = Files.readAllBytes(store.root().resolve(Store.CONFIG_FILE));
                target.put(BucketLayout.CONFIG_KEY, config);
                run.bytes += config.length;
            } catch (IOException e) {
                throw StoreException.io("reading the store configuration", e);
            }
        }
        // Manifests before packs: every pack a listed manifest needs was sealed before it was committed.
        List<RestorePointId> restorePoints = store.list();
        Map<String, PackRecord> packs = store.index().packs();
        for (String key : target.list(BucketLayout.PACKS).keySet()) {
            BucketLayout.packId(key).ifPresent(run.inBucket::add);
        }
        Set<RestorePointId> manifestsInBucket = new HashSet<>();
        for (String key : target.list(BucketLayout.MANIFESTS).keySet()) {
            BucketLayout.restorePoint(key).ifPresent(manifestsInBucket::add);
        }

        long total = packs.values().stream().filter(p -> !run.inBucket.contains(p.id())).mapToLong(PackRecord::size).sum();
        progress.phase("replicate packs", total);
        for (PackRecord p : packs.values()) {
            if (run.inBucket.contains(p.id())) {
                run.skippedPacks++;
                continue;
            }
            try {
                run.upload(p.id());
            } catch (NoSuchFileException gone) {
                // GC removed it since the listing; whatever still needs its chunks names their new pack
            } catch (IOException e) {
                run.failures.add("pack " + p.id() + ": " + e.getMessage());
            }
            progress.add(p.size());
        }

        progress.phase("replicate restore points", restorePoints.size());
        for (RestorePointId id : restorePoints) {
            if (manifestsInBucket.contains(id)) {
                run.skippedManifests++;
            } else {
                try {
                    run.uploadManifest(id);
                } catch (StoreException e) {
                    run.failures.add("restore point " + id + ": " + e.getMessage());
                }
            }
            progress.add(1);
        }
        return new ReplicationReport(run.packs, run.manifests, run.bytes, run.skippedPacks, run.skippedManifests, run.failures);
    }

    private final class Run {
        final Set<String> inBucket = new HashSet<>();
        final List<String> failures = new ArrayList<>();
        int packs;
        int manifests;
        int skippedPacks;
        int skippedManifests;
        long bytes;

        /** Uploads a sealed pack after checking its footer still matches its id. */
        void upload(String packId) throws IOException {
            java.nio.file.Path file = store.packs().packFile(packId);
            try (PackReader r = new PackReader(packId, file)) {
                r.entries();
            }
            bytes += target.put(BucketLayout.packKey(packId), file);
            inBucket.add(packId);
            packs++;
        }

        void uploadManifest(RestorePointId id) throws StoreException {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(store.manifests().file(id));
            } catch (IOException e) {
                throw StoreException.io("reading manifest " + id, e);
            }
            Manifest m = ManifestFormat.decode(bytes, id.toString());
            Set<String> needed = new HashSet<>();
            for (DiskMap disk : m.disks()) {
                for (int s = 0; s < disk.slotCount(); s++) {
                    Digest d = disk.digest(s);
                    if (d == null) {
                        continue;
                    }
                    Optional<ChunkLocation> loc = store.index().get(d);
                    if (loc.isEmpty()) {
                        throw new StoreException(StoreException.Kind.NOT_FOUND, "chunk " + d
                                + " is not in the local store; not replicating a restore point that cannot be restored (run verify)");
                    }
                    needed.add(loc.get().packId());
                }
            }
            for (String pack : needed) {
                if (!inBucket.contains(pack)) {
                    try {
                        upload(pack);
                    } catch (IOException e) {
                        throw StoreException.io("uploading pack " + pack + " first", e);
                    }
                }
            }
            target.put(BucketLayout.manifestKey(id), bytes);
            this.bytes += bytes.length;
            manifests++;
        }
    }
}
