package io.lifeboat.store.replication;

import java.util.List;

/**
 * What {@link BucketReader#mirrorTo} did.
 *
 * @param downloadedPacks     packs fetched, verified and indexed this run
 * @param downloadedManifests restore points installed this run
 * @param downloadedBytes     bytes fetched
 * @param skipped             packs and restore points the local store already had
 * @param refused             objects that failed verification or cannot be restored, and why;
 *                            none of them is in the local store
 */
public record MirrorReport(int downloadedPacks, int downloadedManifests, long downloadedBytes, int skipped,
                           List<String> refused) {
    public MirrorReport {
        refused = List.copyOf(refused);
    }

    @com.fasterxml.jackson.annotation.JsonProperty("ok")
    public boolean ok() {
        return refused.isEmpty();
    }
}
