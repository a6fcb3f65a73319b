package io.lifeboat.store.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.index.ChunkLocation;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.pack.PackFormat;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Deletes from the bucket what the local store deleted, after a grace period, and never what a
 * restore point in the bucket (or one about to be uploaded) still needs.
 *
 * <p>Rules, in the order they are applied:
 * <ol>
 *   <li><b>Only the owner prunes.</b> The bucket's {@code lifeboat-store.json} is written once, by
 *       the first store that replicates into it; a store whose id differs (a second appliance, a
 *       recovery site's mirror, an empty store pointed at the bucket) deletes nothing, and the
 *       report says why.</li>
 *   <li><b>Restore points</b>: the owner deletes only restore points it once had itself while they
 *       were in the bucket ({@link PruneState} lists them), so restore points another appliance
 *       uploaded into a shared bucket are never touched. Such a restore point that is no longer in
 *       the local store is recorded as missing, with the time first seen so; once it has been
 *       missing for the grace period, its manifest is deleted. If it comes back (restored into the
 *       store again), the pending deletion is cancelled.</li>
 *   <li><b>Packs</b>: only packs that are not in the local index are candidates (the replicator
 *       could still upload a manifest naming a local pack). The digests of every manifest in the
 *       bucket and every local one are resolved to packs: a digest the local index places in a
 *       pack that is in the bucket and local is settled; any other digest keeps every candidate
 *       whose footer (read with one ranged GET, only when such digests exist) holds it. A candidate
 *       nothing keeps is recorded as unreferenced with the time first seen so, and deleted once it
 *       has been unreferenced for the grace period, right after listing the manifests again and
 *       resolving any that appeared meanwhile. A candidate something needs again is cancelled.</li>
 * </ol>
 * A manifest that cannot be read stops the pruning of packs (as in GC, damage must not make
 * chunks look unused), and a candidate whose footer cannot be read is kept.
 *
 * <p>Space comes back after two grace periods: the manifests go after the first, the packs only
 * they needed become unreferenced then and go after the second.
 *
 * <p>With several appliances sharing a bucket, one race remains: a pack another appliance uploaded
 * but has not referenced for a whole grace period could be deleted while that appliance, having
 * listed it moments before, uploads a manifest naming it. Its next run finds the pack missing from
 * the bucket listing and uploads it again, so the window closes by itself at that appliance's next
 * run.
 */
public final class BucketPruner {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Store store;
    private final S3Target target;
    private final BucketReader bucket;
    private final Duration grace;
    private final Clock clock;

    public BucketPruner(Store store, S3Target target, Duration grace, Clock clock) {
        this.store = store;
        this.target = target;
        this.bucket = new BucketReader(target);
        this.grace = grace;
        this.clock = clock;
    }

    /**
     * Records, without deleting anything, that these restore points of this store are in the
     * bucket, so that a later run with pruning on may delete them once they are gone locally. Does
     * nothing in a bucket this store does not own.
     */
    public void remember(Set<RestorePointId> replicated) throws StoreException {
        String owner;
        try {
            owner = owner();
        } catch (StoreException e) {
            return; // pruning, if asked for, reports this; plain replication does not need an owner
        }
        if (!store.config().id().equals(owner)) {
            return;
        }
        PruneState state = PruneState.load(PruneState.fileFor(store.root(), target.settings()), target.settings().where());
        int before = state.replicated.size();
        replicated.forEach(id -> state.replicated.add(id.toString()));
        if (state.replicated.size() != before) {
            state.save();
        }
    }

    public PruneReport run(Progress progress) throws StoreException {
        return run(progress, Set.of());
    }

    /**
     * Prunes the bucket. {@code justUploaded}: restore points this run put in the bucket, counted as
     * this store's even if they were deleted locally since (retention running beside replication),
     * so that their deletion reaches the bucket too. Throws, having saved what it recorded, if a
     * manifest it must read to know which packs are still needed is damaged or unreadable: the
     * packs are then left alone, and the run must not look like a success.
     */
    public PruneReport run(Progress progress, Set<RestorePointId> justUploaded) throws StoreException {
        String owner = owner();
        String self = store.config().id();
        if (!self.equals(owner)) {
            return PruneReport.refused(target.settings().where() + " belongs to store " + owner + " (its "
                    + BucketLayout.CONFIG_KEY + "); this is store " + self
                    + ": only the store that created a bucket prunes it, nothing was deleted");
        }
        PruneState state = PruneState.load(PruneState.fileFor(store.root(), target.settings()), target.settings().where());
        long now = clock.millis();
        long graceMs = grace.toMillis();

        Set<RestorePointId> local = new HashSet<>(store.list());
        Set<RestorePointId> inBucket = new TreeSet<>(bucket.restorePoints());
        progress.phase("prune restore points", inBucket.size());
        Set<String> names = new HashSet<>();
        inBucket.forEach(id -> names.add(id.toString()));
        justUploaded.forEach(id -> state.replicated.add(id.toString()));
        state.replicated.retainAll(names);
        state.manifestsMissingSince.keySet().retainAll(names);
        int deletedManifests = 0;
        int pendingManifests = 0;
        int foreign = 0;
        for (RestorePointId id : inBucket) {
            String name = id.toString();
            if (local.contains(id)) {
                state.replicated.add(name);
                state.manifestsMissingSince.remove(name); // it came back: cancel
            } else if (!state.replicated.contains(name)) {
                foreign++;
            } else {
                long since = state.manifestsMissingSince.computeIfAbsent(name, k -> now);
                if (now - since >= graceMs) {
                    target.delete(BucketLayout.manifestKey(id));
                    state.replicated.remove(name);
                    state.manifestsMissingSince.remove(name);
                    deletedManifests++;
                } else {
                    pendingManifests++;
                }
            }
            progress.add(1);
        }
        state.save();

        Map<String, Long> packs = bucket.packs();
        Set<String> candidates = new TreeSet<>();
        for (String id : packs.keySet()) {
            if (store.index().pack(id).isEmpty()) {
                candidates.add(id);
            }
        }
        state.packsUnreferencedSince.keySet().retainAll(candidates);
        progress.phase("prune packs", candidates.size());
        int deletedPacks = 0;
        long deletedBytes = 0;
        int pendingPacks = 0;
        String note = null;
        if (!candidates.isEmpty()) {
            Set<RestorePointId> seen = new HashSet<>(bucket.restorePoints());
            seen.addAll(local);
            Set<String> needed;
            try {
                needed = neededCandidates(seen, local, packs, candidates);
            } catch (StoreException e) {
                state.save();
                throw packsNotPruned(e, deletedManifests);
            }
            List<String> due = new ArrayList<>();
            for (String id : candidates) {
                progress.add(1);
                if (needed.contains(id)) {
                    state.packsUnreferencedSince.remove(id);
                } else if (now - state.packsUnreferencedSince.computeIfAbsent(id, k -> now) >= graceMs) {
                    due.add(id);
                } else {
                    pendingPacks++;
                }
            }
            state.save();
            if (!due.isEmpty()) {
                // Right before deleting: whatever manifest appeared since the first listing counts too.
                for (int round = 0; ; round++) {
                    Set<RestorePointId> appeared = new HashSet<>(bucket.restorePoints());
                    appeared.removeAll(seen);
                    if (appeared.isEmpty()) {
                        break;
                    }
                    if (round == 3) {
                        note = "the bucket kept changing while pruning; packs are pruned on a later run";
                        due.clear();
                        break;
                    }
                    try {
                        needed.addAll(neededCandidates(appeared, local, packs, candidates));
                    } catch (StoreException e) {
                        throw packsNotPruned(e, deletedManifests);
                    }
                    seen.addAll(appeared);
                }
                for (String id : due) {
                    if (needed.contains(id)) {
                        state.packsUnreferencedSince.remove(id);
                        continue;
                    }
                    target.delete(BucketLayout.packKey(id));
                    state.packsUnreferencedSince.remove(id);
                    deletedPacks++;
                    deletedBytes += packs.get(id);
                }
                state.save();
            }
        }
        return new PruneReport(true, note, deletedManifests, deletedPacks, deletedBytes, pendingManifests,
                pendingPacks, foreign);
    }

    /** Why pruning stopped short of the packs: a manifest it needed could not be read. */
    private static StoreException packsNotPruned(StoreException e, int deletedManifests) {
        return new StoreException(e.kind(), "packs not pruned (" + deletedManifests + " restore point(s) were): "
                + e.getMessage(), e);
    }

    private Optional<Manifest> bucketManifest(RestorePointId id) throws StoreException {
        try {
            return Optional.of(bucket.manifest(id));
        } catch (StoreException e) {
            if (e.kind() == StoreException.Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The id in the bucket's configuration object; the first store to replicate wrote it. */
    private String owner() throws StoreException {
        byte[] config = target.get(BucketLayout.CONFIG_KEY);
        try {
            JsonNode id = JSON.readTree(config).get("id");
            if (id != null && id.isTextual()) {
                return id.asText();
            }
        } catch (IOException e) {
            // reported below
        }
        throw new StoreException(StoreException.Kind.CORRUPT, BucketLayout.CONFIG_KEY + " in "
                + target.settings().where() + " does not name the store that owns the bucket; nothing was pruned");
    }

    /**
     * The candidates some restore point in {@code ids} needs. Local manifests are read from disk
     * (same key, same bytes), the others from the bucket.
     */
    private Set<String> neededCandidates(Collection<RestorePointId> ids, Set<RestorePointId> local,
                                         Map<String, Long> packs, Set<String> candidates) throws StoreException {
        Set<Digest> unsettled = new HashSet<>();
        for (RestorePointId id : ids) {
            Manifest m;
            if (local.contains(id)) {
                try {
                    m = store.manifest(id);
                } catch (StoreException e) {
                    if (e.kind() != StoreException.Kind.NOT_FOUND) {
                        throw e;
                    }
                    // deleted locally since the listing: what the bucket holds of it still counts
                    Optional<Manifest> inBucket = bucketManifest(id);
                    if (inBucket.isEmpty()) {
                        continue;
                    }
                    m = inBucket.get();
                }
            } else {
                m = bucket.manifest(id);
            }
            for (DiskMap disk : m.disks()) {
                for (int s = 0; s < disk.slotCount(); s++) {
                    Digest d = disk.digest(s);
                    if (d == null) {
                        continue;
                    }
                    Optional<ChunkLocation> loc = store.index().get(d);
                    if (loc.isEmpty() || !packs.containsKey(loc.get().packId()) || candidates.contains(loc.get().packId())) {
                        unsettled.add(d);
                    }
                }
            }
        }
        Set<String> needed = new HashSet<>();
        if (unsettled.isEmpty()) {
            return needed;
        }
        for (String id : candidates) {
            try {
                for (PackFormat.Entry e : bucket.footer(id, packs.get(id))) {
                    if (unsettled.contains(e.digest())) {
                        needed.add(id);
                        break;
                    }
                }
            } catch (StoreException e) {
                needed.add(id); // what it holds is unknown: keep it
            }
        }
        return needed;
    }
}
