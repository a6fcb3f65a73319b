package io.lifeboat.restore;

import io.lifeboat.store.StoreException;

/**
 * Cancelling a restore from another thread (an API call, a Ctrl-C hook), up to its point of no
 * return. {@link #request} marks the restore cancelled and interrupts the thread it runs on; the
 * restore notices at its next step (a chunk read, the qemu-img conversion, between phases) and
 * throws {@link #cancelled}, having removed what it staged. Once {@link VmRestore} has begun moving
 * disks into place, {@link #request} answers false and changes nothing: renaming half of the disks,
 * or replacing the original's and then not defining the VM, would leave worse than either outcome.
 *
 * <p>A plain interrupt of the restoring thread before that point cancels it too.
 */
public final class Cancellation {

    private Thread thread;
    private boolean requested;
    private boolean committing;

    /** A cancellation for a restore that runs on the calling thread. */
    public static Cancellation ofCurrentThread() {
        Cancellation c = new Cancellation();
        c.runsOn(Thread.currentThread());
        return c;
    }

    /** The work runs on {@code t} from now on; a cancel already asked for interrupts it at once. */
    public synchronized void runsOn(Thread t) {
        thread = t;
        if (requested && !committing) {
            t.interrupt();
        }
    }

    /** The work is over: later requests interrupt nothing (the thread may run other work by then). */
    public synchronized void ended() {
        thread = null;
    }

    /**
     * Asks the restore to stop. True when it will (or it has not begun); false when it is already
     * moving its disks into place and will finish.
     */
    public synchronized boolean request() {
        if (committing) {
            return false;
        }
        if (!requested) {
            requested = true;
            if (thread != null) {
                thread.interrupt();
            }
        }
        return true;
    }

    public synchronized boolean requested() {
        return requested;
    }

    /** Throws {@link #cancelled} if a cancel was asked for or the calling thread was interrupted. */
    public void check() throws RestoreException {
        if (requested() || Thread.currentThread().isInterrupted()) {
            throw cancelled(null);
        }
    }

    /**
     * The point of no return: throws {@link #cancelled} as {@link #check} does, else from now on
     * {@link #request} answers false.
     */
    synchronized void commit() throws RestoreException {
        check();
        committing = true;
    }

    /**
     * What to throw for {@code failure}, which may be only how a cancel surfaced (an interrupted
     * read, a qemu-img that was stopped): {@link #cancelled} when the restore was cancelled.
     */
    StoreException cancelledOr(StoreException failure) {
        if (failure instanceof Cancelled || !(requested() || Thread.currentThread().isInterrupted())) {
            return failure;
        }
        return cancelled(failure);
    }

    /** The restore's error when it was cancelled; nothing of it is left behind. */
    static RestoreException cancelled(Throwable cause) {
        return new Cancelled(cause);
    }

    private static final class Cancelled extends RestoreException {
        private static final long serialVersionUID = 1L;

        Cancelled(Throwable cause) {
            super(StoreException.Kind.IO, "restore cancelled; nothing was written", cause);
        }
    }
}
