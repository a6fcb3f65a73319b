package io.lifeboat.appliance.catalog;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import io.lifeboat.store.BackupSession;
import io.lifeboat.appliance.backup.ManifestAttributes;
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
 * @param reason       why the status is what it is (who deleted it), or why a backup is only crash-consistent
 *                     (no agent channel, the agent's freeze failed), or null
 * @param isProtected  set by a user: neither deleted through the API nor removed by retention until unset
 * @param notes        the user's free text, or null
 * @param verified     the outcome of the last store verify that covered it
 * @param replicated   whether the bucket held it when a replication run last listed the bucket
 * @param frozenMillis for an APPLICATION-consistent one, how long the guest's file systems stayed
 *                     frozen for it (the freeze's answer to the thaw's); null otherwise
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
        String reason,
        boolean isProtected,
        String notes,
        Verified verified,
        boolean replicated,
        Long frozenMillis) {

    /** The longest {@code notes} the catalog keeps. */
    public static final int MAX_NOTES = 1024;

    public enum Status {
        AVAILABLE,
        /** Removed from the store; the row stays for the history. */
        DELETED
    }

    /** One backed-up disk: its name in the domain ({@code vda}) and its virtual size. */
    public record Disk(String name, long sizeBytes) {
    }

    /**
     * What the last store verify that covered a restore point found; state NONE and no time
     * until one has.
     */
    public record Verified(State state, Instant time) {
        public enum State { OK, FAILED, NONE }

        public static final Verified NONE = new Verified(State.NONE, null);

        public Verified {
            Objects.requireNonNull(state);
        }
    }

    public RestorePoint {
        Objects.requireNonNull(id);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(consistency);
        Objects.requireNonNull(status);
        Objects.requireNonNull(verified);
        disks = List.copyOf(disks);
    }

    /** A restore point as its backup recorded it: unprotected, no notes, not verified or replicated yet. */
    public RestorePoint(RestorePointId id, Manifest.Kind kind, String checkpoint, Manifest.Consistency consistency,
                        List<Disk> disks, long logicalBytes, long storedBytes, long newBytes, long durationMillis,
                        Status status, String reason) {
        this(id, kind, checkpoint, consistency, disks, logicalBytes, storedBytes, newBytes, durationMillis, status,
                reason, false, null, Verified.NONE, false, null);
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
        String frozen = manifest.attributes().get(ManifestAttributes.FROZEN_MILLIS);
        return new RestorePoint(manifest.id(), manifest.kind(), checkpoint == null || checkpoint.isEmpty() ? null : checkpoint,
                manifest.consistency(), disks, manifest.logicalBytes(), newStoredBytes, newRawBytes, took.toMillis(),
                Status.AVAILABLE, notFrozen(manifest), false, null, Verified.NONE, false,
                frozen == null ? null : Long.valueOf(frozen));
    }

    /** Why a crash-consistent backup's guest was not frozen, as its backup recorded it; null when it was. */
    private static String notFrozen(Manifest manifest) {
        String quiesce = manifest.attributes().get(ManifestAttributes.QUIESCE);
        if (manifest.consistency() != Manifest.Consistency.CRASH || quiesce == null || quiesce.isEmpty()) {
            return null;
        }
        return "crash-consistent: " + quiesce;
    }

    public String vm() {
        return id.vm();
    }

    public Instant time() {
        return id.time();
    }
}
