package io.lifeboat.store.replication;

import java.util.List;

/**
 * What one replication run did.
 *
 * @param uploadedPacks     packs sent this run
 * @param uploadedManifests restore points sent this run
 * @param uploadedBytes     bytes of packs and manifests sent (not counting retries)
 * @param skippedPacks      packs already in the bucket
 * @param skippedManifests  restore points already in the bucket
 * @param failures          what could not be replicated (or pruned) and why; empty on full success
 * @param prune             what pruning did, or null if it was not asked for
 */
public record ReplicationReport(int uploadedPacks, int uploadedManifests, long uploadedBytes,
                                int skippedPacks, int skippedManifests, List<String> failures, PruneReport prune) {
    public ReplicationReport {
        failures = List.copyOf(failures);
    }

    @com.fasterxml.jackson.annotation.JsonProperty("ok")
    public boolean ok() {
        return failures.isEmpty();
    }

    public int uploadedObjects() {
        return uploadedPacks + uploadedManifests;
    }
}
