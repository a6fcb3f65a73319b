package io.lifeboat.appliance.backup;

import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a finished backup job produced.
 *
 * @param restorePoint      the committed restore point
 * @param kind              FULL or INCREMENTAL
 * @param consistency       OFFLINE (stopped VM), CRASH or APPLICATION (guest file systems frozen)
 * @param parent            the restore point an incremental started from, or empty
 * @param checkpoint        the libvirt checkpoint this backup created, or empty (stopped VM, raw disks)
 * @param fullReason        why a full backup was taken, or empty for an incremental
 * @param quiesce           "frozen", or why the guest's file systems were not frozen
 * @param bytesReadPerDisk  bytes read from each disk (over NBD, or from the image file)
 * @param newRawBytes       bytes of the chunks this backup added to the store, before compression
 * @param newStoredBytes    bytes this backup added to the store (compressed, after dedup)
 * @param elapsed           wall time of the job
 * @param warnings          cleanup steps after the commit that failed (the restore point is good)
 */
public record BackupResult(
        RestorePointId restorePoint,
        Manifest.Kind kind,
        Manifest.Consistency consistency,
        String parent,
        String checkpoint,
        String fullReason,
        String quiesce,
        Map<String, Long> bytesReadPerDisk,
        long newRawBytes,
        long newStoredBytes,
        Duration elapsed,
        List<String> warnings) {

    public BackupResult {
        bytesReadPerDisk = Map.copyOf(bytesReadPerDisk);
        warnings = List.copyOf(warnings);
    }

    public long bytesRead() {
        return bytesReadPerDisk.values().stream().mapToLong(Long::longValue).sum();
    }
}
