package io.lifeboat.store.replication;

/**
 * What pruning the bucket did in one replication run ({@link BucketPruner}).
 *
 * @param pruned            false if the bucket was left alone; {@code note} says why
 * @param note              why nothing was pruned (the bucket belongs to another store), or what
 *                          pruning left for later; null when there is nothing to say
 * @param deletedManifests  restore points deleted from the bucket this run
 * @param deletedPacks      packs deleted from the bucket this run
 * @param deletedBytes      bytes of those packs
 * @param pendingManifests  restore points gone locally, waiting out the grace period
 * @param pendingPacks      packs no restore point needs, waiting out the grace period
 * @param foreignManifests  restore points in the bucket this store never had (another appliance's
 *                          or older than this store's pruning record); never deleted
 */
public record PruneReport(boolean pruned, String note, int deletedManifests, int deletedPacks, long deletedBytes,
                          int pendingManifests, int pendingPacks, int foreignManifests) {
    static PruneReport refused(String why) {
        return new PruneReport(false, why, 0, 0, 0, 0, 0, 0);
    }
}
