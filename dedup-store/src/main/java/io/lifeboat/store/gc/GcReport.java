package io.lifeboat.store.gc;

/**
 * What a GC run did (or, for a dry run, would do).
 *
 * @param restorePoints   restore points whose chunks were marked
 * @param chunksRemoved   index entries swept
 * @param packsDeleted    packs with no live chunk left, deleted
 * @param packsRepacked   packs below the live threshold whose live chunks were copied out
 * @param bytesFreed      pack bytes removed from disk, net of what repacking wrote
 */
public record GcReport(boolean dryRun, int restorePoints, long chunksRemoved, int packsDeleted, int packsRepacked,
                       long bytesFreed, long bytesBefore, long bytesAfter) {
}
