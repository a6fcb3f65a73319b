package io.lifeboat.store.replication;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Replicator} runs.
 *
 * @param concurrency uploads in flight at once (packs, then manifests); 1 to 64, 4 by default
 * @param prune       after uploading, delete from the bucket what the local store deleted, once
 *                    the grace period has passed ({@link BucketPruner}); off by default
 * @param grace       how long a restore point must have been gone locally, and a pack unreferenced,
 *                    before either is deleted from the bucket; 24 hours by default
 * @param clock       the time pending deletions are measured with (tests move it forward)
 */
public record ReplicationOptions(int concurrency, boolean prune, Duration grace, Clock clock) {
    public static final int DEFAULT_CONCURRENCY = 4;
    public static final Duration DEFAULT_GRACE = Duration.ofHours(24);

    public ReplicationOptions {
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(clock, "clock");
        if (concurrency < 1 || concurrency > 64) {
            throw new IllegalArgumentException("upload concurrency must be between 1 and 64, got " + concurrency);
        }
        if (grace.isNegative()) {
            throw new IllegalArgumentException("prune grace period must not be negative, got " + grace);
        }
    }

    public static ReplicationOptions defaults() {
        return new ReplicationOptions(DEFAULT_CONCURRENCY, false, DEFAULT_GRACE, Clock.systemUTC());
    }

    public ReplicationOptions withConcurrency(int n) {
        return new ReplicationOptions(n, prune, grace, clock);
    }

    public ReplicationOptions withPrune(boolean on) {
        return new ReplicationOptions(concurrency, on, grace, clock);
    }

    public ReplicationOptions withGrace(Duration d) {
        return new ReplicationOptions(concurrency, prune, d, clock);
    }

    public ReplicationOptions withClock(Clock c) {
        return new ReplicationOptions(concurrency, prune, grace, c);
    }
}
