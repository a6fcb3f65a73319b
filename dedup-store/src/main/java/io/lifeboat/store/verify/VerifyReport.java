package io.lifeboat.store.verify;

import java.util.List;
import java.util.Map;

/**
 * What verify found. {@code ok()} is true only when every chunk the index points to read back
 * intact and every restore point can be restored.
 *
 * @param affectedRestorePoints restore point id → number of its slots that cannot be restored
 */
public record VerifyReport(
        int packsChecked,
        long chunksChecked,
        long bytesChecked,
        List<BadChunk> badChunks,
        List<String> badPacks,
        long missingChunks,
        Map<String, Long> affectedRestorePoints,
        List<String> corruptManifests) {

    /** A chunk the index points to that failed a check. */
    public record BadChunk(String digest, String pack, long offset, String reason) {
    }

    @com.fasterxml.jackson.annotation.JsonProperty("ok")
    public boolean ok() {
        return badChunks.isEmpty() && badPacks.isEmpty() && missingChunks == 0
                && affectedRestorePoints.isEmpty() && corruptManifests.isEmpty();
    }
}
