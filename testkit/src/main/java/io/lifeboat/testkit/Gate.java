package io.lifeboat.testkit;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Holds work at a chosen point for as long as a test needs, with no sleeping: the code under test
 * calls {@link #pass}, or a method of an interface {@link #guard}ed by the gate (a chunk source's
 * {@code read}, say), and waits there until the test {@link #open}s the gate; the test learns
 * with {@link #awaitArrival} that the work has got that far.
 */
public final class Gate {
    private final CountDownLatch arrived = new CountDownLatch(1);
    private final CountDownLatch opened = new CountDownLatch(1);

    /** Waits until the gate is open; an interrupt ends the wait as it would any blocking call. */
    public void pass() throws InterruptedException {
        arrived.countDown();
        opened.await();
    }

    /**
     * {@code target} behind the gate: a call of {@code method} passes the gate first, every other
     * call goes straight through. A call interrupted at the gate throws what {@code interrupted}
     * makes of the interrupt (with the interrupt flag set again), as the real call would.
     */
    public <T> T guard(Class<T> type, T target, String method,
                       Function<InterruptedException, ? extends Exception> interrupted) {
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, m, args) -> {
            if (m.getName().equals(method)) {
                try {
                    pass();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw interrupted.apply(e);
                }
            }
            try {
                return m.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
        return type.cast(proxy);
    }

    /** Waits until something has reached the gate; false if nothing did within {@code timeout}. */
    public boolean awaitArrival(Duration timeout) throws InterruptedException {
        return arrived.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Lets every caller, waiting or to come, through. */
    public void open() {
        opened.countDown();
    }
}
