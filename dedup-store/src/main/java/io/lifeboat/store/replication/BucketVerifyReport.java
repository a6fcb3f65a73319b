package io.lifeboat.store.replication;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * What {@link BucketVerifier} found in a bucket. {@code ok()} is true only when every pack and
 * every manifest in the bucket is intact and every restore point can be restored from the bucket.
 *
 * @param packsChecked          pack objects downloaded and checked
 * @param chunksChecked         frames checked in them
 * @param bytesChecked          bytes of packs downloaded and checked
 * @param restorePointsChecked  manifest objects checked
 * @param damagedObjects        objects that failed a check, each with the restore points that need it
 * @param affectedRestorePoints restore points that cannot be restored from the bucket, and why
 */
public record BucketVerifyReport(int packsChecked, long chunksChecked, long bytesChecked, int restorePointsChecked,
                                 List<DamagedObject> damagedObjects, List<AffectedRestorePoint> affectedRestorePoints) {
    public BucketVerifyReport {
        damagedObjects = List.copyOf(damagedObjects);
        affectedRestorePoints = List.copyOf(affectedRestorePoints);
    }

    /**
     * An object that failed a check.
     *
     * @param key           its key in the bucket
     * @param reason        the first check it failed
     * @param restorePoints the restore points that need it (for a pack whose footer is unreadable,
     *                      unknown: those restore points are listed as affected, with their missing chunks)
     */
    public record DamagedObject(String key, String reason, List<String> restorePoints) {
        public DamagedObject {
            restorePoints = List.copyOf(restorePoints);
        }
    }

    /**
     * A restore point that cannot be restored from the bucket.
     *
     * @param id            the restore point
     * @param missingChunks its distinct chunks that are in no intact pack in the bucket (0 if its
     *                      manifest itself is damaged)
     * @param problem       what is wrong, for a person
     */
    public record AffectedRestorePoint(String id, long missingChunks, String problem) {
    }

    @JsonProperty("ok")
    public boolean ok() {
        return damagedObjects.isEmpty() && affectedRestorePoints.isEmpty();
    }
}
