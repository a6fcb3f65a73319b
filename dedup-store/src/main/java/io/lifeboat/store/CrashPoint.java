package io.lifeboat.store;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named places in the commit protocol where crash tests stop the process. With the system
 * property {@code lifeboat.crashpoint=NAME} (or {@code NAME:N} for the N-th pass) the process
 * prints {@code CRASHPOINT NAME} on stdout when it gets there and then waits to be killed
 * ({@code kill -9}) by the test. Without the property this is a single volatile read.
 */
public final class CrashPoint {
    private static final String SPEC = System.getProperty("lifeboat.crashpoint");
    private static final String NAME;
    private static final int NTH;
    private static final AtomicInteger HITS = new AtomicInteger();

    static {
        if (SPEC == null) {
            NAME = null;
            NTH = 0;
        } else {
            int colon = SPEC.indexOf(':');
            NAME = colon < 0 ? SPEC : SPEC.substring(0, colon);
            NTH = colon < 0 ? 1 : Integer.parseInt(SPEC.substring(colon + 1));
        }
    }

    private CrashPoint() {
    }

    public static void reach(String name) {
        if (NAME == null || !NAME.equals(name) || HITS.incrementAndGet() != NTH) {
            return;
        }
        System.out.println("CRASHPOINT " + name);
        System.out.flush();
        Object forever = new Object();
        synchronized (forever) {
            while (true) {
                try {
                    forever.wait();
                } catch (InterruptedException ignored) {
                    // only SIGKILL ends this
                }
            }
        }
    }
}
