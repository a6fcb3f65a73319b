package io.lifeboat.appliance.backup;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Set once by {@link BackupJob#cancel()}; waits in the job end early when it is set. */
final class CancelSignal {
    private final CountDownLatch latch = new CountDownLatch(1);

    void set() {
        latch.countDown();
    }

    boolean isSet() {
        return latch.getCount() == 0;
    }

    /** Waits up to {@code d}; true if cancelled meanwhile. */
    boolean awaitFor(Duration d) throws InterruptedException {
        return latch.await(d.toNanos(), TimeUnit.NANOSECONDS);
    }

    void check() throws BackupException {
        if (isSet()) {
            throw new BackupException(BackupException.Kind.CANCELLED, "backup cancelled");
        }
    }
}
