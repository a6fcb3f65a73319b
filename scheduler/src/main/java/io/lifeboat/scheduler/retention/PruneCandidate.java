package io.lifeboat.scheduler.retention;

import java.time.Instant;
import java.util.Objects;

/**
 * One backup as retention sees it: the caller's item (a restore point id, say), when it was
 * taken, whether the user protected it, and whether it completed.
 */
public record PruneCandidate<T>(T item, Instant time, boolean isProtected, boolean complete) {
    public PruneCandidate {
        Objects.requireNonNull(item, "item");
        Objects.requireNonNull(time, "time");
    }

    /** A complete, unprotected backup. */
    public static <T> PruneCandidate<T> of(T item, Instant time) {
        return new PruneCandidate<>(item, time, false, true);
    }
}
