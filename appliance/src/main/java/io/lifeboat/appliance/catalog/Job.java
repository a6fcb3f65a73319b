package io.lifeboat.appliance.catalog;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A long operation and how far it got. Progress is the store's one mechanism
 * ({@link io.lifeboat.store.Progress}: a phase, bytes done out of a total), written here by
 * {@link JobRepository#progress} so the API, the console and other appliances read the same thing.
 *
 * @param vm    the VM the job works on, or null for store-wide jobs (GC, verify)
 * @param phase what the job is doing now ({@code backup vda}), or null before it starts
 * @param error why a FAILED or CANCELLED job ended, in one line for the user
 * @param restorePoint the restore point a SUCCEEDED backup job produced ({@code <vm>/<time>}), else null
 * @param summary what a SUCCEEDED backup job did, else null
 */
public record Job(
        UUID id,
        Kind kind,
        String vm,
        State state,
        String phase,
        long bytesDone,
        long bytesTotal,
        Instant created,
        Instant started,
        Instant ended,
        String error,
        String restorePoint,
        JobSummary summary) {

    public enum Kind { BACKUP, RESTORE, INSTANT_RECOVERY, VERIFY, REPLICATION, GC, RETENTION }

    public enum State {
        QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

        public boolean isFinal() {
            return this == SUCCEEDED || this == FAILED || this == CANCELLED;
        }
    }

    public Job {
        Objects.requireNonNull(id);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(state);
        Objects.requireNonNull(created);
    }
}
