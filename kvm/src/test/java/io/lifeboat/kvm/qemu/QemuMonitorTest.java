package io.lifeboat.kvm.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import io.lifeboat.kvm.KvmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The monitor's time limit. A QEMU whose monitor never answers cannot be made on demand, so the
 * libvirt call is stood in for by one that blocks until the test lets it go.
 */
class QemuMonitorTest {

    @Test
    void anAnswerWithinTheLimitIsReturned() throws Exception {
        assertThat(QemuMonitor.within(Duration.ofSeconds(5), "info status", () -> "VM status: running"))
                .isEqualTo("VM status: running");
    }

    @Test
    @Timeout(60) // the call never returns on its own: without the limit this test would hang
    void aMonitorThatDoesNotAnswerIsATimeoutAndTheCallerGoesOn() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        try {
            assertThatThrownBy(() -> QemuMonitor.within(Duration.ofMillis(200), "QEMU's monitor call \"info block\"", () -> blockOn(never))).isInstanceOfSatisfying(KvmException.class, e -> assertThat(e.kind()).isEqualTo(KvmException.Kind.TIMEOUT))
                    .hasMessage("QEMU's monitor call \"info block\" did not return within 200 ms");
        } finally {
            never.countDown();
        }
    }

    @Test
    void anInterruptedWaitSaysSoAndKeepsTheInterrupt() {
        CountDownLatch never = new CountDownLatch(1);
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> QemuMonitor.within(Duration.ofSeconds(30), "QEMU's monitor", () -> blockOn(never))).isInstanceOfSatisfying(KvmException.class, e -> assertThat(e.kind()).isEqualTo(KvmException.Kind.FAILED))
                    .hasMessage("interrupted while waiting for QEMU's monitor");
            assertThat(Thread.interrupted()).as("interrupt flag set again (and cleared here)").isTrue();
        } finally {
            never.countDown();
        }
    }

    /** A libvirt call that does not return until {@code latch} opens (or its thread is interrupted). */
    private static String blockOn(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "too late";
    }
}
