package io.lifeboat.kvm.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.kvm.KvmException;
import io.lifeboat.nbd.NbdExport;
import io.lifeboat.nbd.NbdServer;
import io.lifeboat.nbd.NbdServerOptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * qemu-img interrupted mid-conversion: the conversion reads a raw image served over NBD (qemu's
 * {@code nbd:unix:SOCKET:exportname=NAME} file name) whose reads wait until the test lets them go,
 * so the interrupt lands while qemu-img runs with its output file created, every time.
 */
class QemuImgTest {
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void anInterruptedConversionStopsQemuImgAndLeavesNoOutput() throws Exception {
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        NbdExport held = new NbdExport() {
            @Override
            public String name() {
                return "held";
            }

            @Override
            public long size() {
                return 16 * MIB;
            }

            @Override
            public void read(long offset, ByteBuffer dst) throws IOException {
                reading.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
                while (dst.hasRemaining()) {
                    dst.put((byte) 0x5a);
                }
            }
        };
        Path socket = dir.resolve("nbd.sock");
        Path qcow2 = dir.resolve(".web01-vda.qcow2.lifeboat-qcow2");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        Thread converter = new Thread(() -> {
            try {
                QemuImg.rawToQcow2(Path.of("nbd:unix:" + socket + ":exportname=held"), qcow2);
            } catch (KvmException e) {
                thrown.set(e);
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            }
        }, "converter");
        // The held read is let go before the server closes: close() waits for its connections.
        try (NbdServer server = NbdServer.start(NbdServerOptions.unix(socket), List.of(held));
             AutoCloseable letGo = release::countDown) {
            converter.start();
            assertThat(reading.await(60, TimeUnit.SECONDS)).as("qemu-img reads the export").isTrue();
            assertThat(qcow2).as("qemu-img has created its output before reading").exists();

            converter.interrupt();

            converter.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(converter.isAlive()).as("the interrupted call returns").isFalse();
            assertThat(thrown.get()).isInstanceOf(KvmException.class)
                    .hasMessageContaining("interrupted while trying to convert");
            assertThat(stillInterrupted).as("the interrupt is kept for the caller").isTrue();
            assertThat(qcow2).doesNotExist();
            assertThat(ProcessHandle.current().children()
                    .filter(p -> p.info().command().orElse("").endsWith("qemu-img")).toList())
                    .as("no qemu-img left running").isEmpty();
        }
        try (var left = Files.list(dir)) {
            assertThat(left).as("nothing left but the server's socket, if that").allMatch(p -> p.equals(socket));
        }
    }

    /** An export that never answers (a socket nobody accepts on) cannot hang an instant recovery's start. */
    @Test
    void anOverlayOnAnExportThatNeverAnswersGivesUpAndLeavesNothing() throws Exception {
        Path socket = dir.resolve("silent.sock");
        Path overlay = dir.resolve("vda.overlay.qcow2");
        try (java.nio.channels.ServerSocketChannel silent = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            silent.bind(java.net.UnixDomainSocketAddress.of(socket));
            assertThatThrownBy(() -> QemuImg.nbdOverlay(overlay, "vda", socket, MIB, java.time.Duration.ofSeconds(2)))
                    .isInstanceOf(KvmException.class).hasMessageContaining("did not finish within 2 s");
        }
        assertThat(overlay).doesNotExist();
        assertThat(ProcessHandle.current().children()
                .filter(p -> p.info().command().orElse("").endsWith("qemu-img")).toList())
                .as("no qemu-img left running").isEmpty();
    }
}
