package io.lifeboat.appliance.catalog;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import io.lifeboat.store.BackupSession;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;

/**
 * What the catalog knows about one restore point of the chunk store. The store's manifest is the
 * truth about the data; this row adds what a user asks about (sizes, duration, checkpoint) and
 * keeps the history after the restore point is deleted.
 *
 * @param id           the store's restore point id ({@code <vm>/<time>})
 * @param checkpoint   the libvirt checkpoint the next incremental backup starts from, or null
 * @param logicalBytes the disks' virtual size
 * @param newBytes     bytes of chunks this backup added to the store (before compression): what dedup did not find
 * @param storedBytes  what those new chunks occupy in the store's packs (after compression)
 * @param reason       why the status is what it is (who deleted it, a fallback to a full read), or null
 */
public record RestorePoint(
        RestorePointId id,
        Manifest.Kind kind,
        String checkpoint,
        Manifest.Consistency consistency,
        List<Disk> disks,
        long logicalBytes,
        long storedBytes,
        long newBytes,
        long durationMillis,
        Status status,
        String reason) {

    public enum Status {
        AVAILABLE,
        /** Removed from the store; the row stays for the history. */
        DELETED
    }

    /** One backed-up disk: its name in the domain ({@code vda}) and its virtual size. */
    public record Disk(String name, long sizeBytes) {
    }

    public RestorePoint {
        Objects.requireNonNull(id);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(consistency);
        Objects.requireNonNull(status);
        disks = List.copyOf(disks);
    }

    /** The catalog row for a restore point a backup session has just committed. */
    public static RestorePoint committed(Manifest manifest, BackupSession.Stats stats, Duration took, String checkpoint) {
        return committed(manifest, stats.newRawBytes.get(), stats.newStoredBytes.get(), took, checkpoint);
    }

    /**
     * The same, from the session's byte counts as a finished backup job reports them.
     *
     * @param checkpoint the checkpoint created with it; null or empty when there is none
     */
    public static RestorePoint committed(Manifest manifest, long newRawBytes, long newStoredBytes, Duration took,
                                         String checkpoint) {
        List<Disk> disks = manifest.disks().stream().map(d -> new Disk(d.name(), d.size())).toList();
        return new RestorePoint(manifest.id(), manifest.kind(), checkpoint == null || checkpoint.isEmpty() ? null : checkpoint,
                manifest.consistency(), disks, manifest.logicalBytes(), newStoredBytes, newRawBytes, took.toMillis(),
                Status.AVAILABLE, null);
    }

    public String vm() {
        return id.vm();
    }

    public Instant time() {
        return id.time();
    }
}
