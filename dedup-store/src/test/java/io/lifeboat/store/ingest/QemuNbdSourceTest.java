package io.lifeboat.store.ingest;

import io.lifeboat.kvm.qemu.QemuNbd;
import io.lifeboat.testkit.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class QemuNbdSourceTest {
    @TempDir
    Path dir;

    @Test
    void aQemuNbdLeftByACrashedOwnerIsFoundAndStopped() throws Exception {
        Path raw = TestImages.mixed(dir.resolve("img.raw"), 2 << 20, 50_000, 3);
        Path qcow2 = dir.resolve("img.qcow2");
        assertThat(new ProcessBuilder("qemu-img", "convert", "-O", "qcow2", raw.toString(), qcow2.toString())
                .inheritIO().start().waitFor()).isZero();
        Path served = dir.resolve("qemu-nbd-vda");

        QemuNbdSource orphan = QemuNbdSource.open(qcow2, "qcow2", served); // never closed: its owner "crashed"
        long pid = Long.parseLong(Files.readString(served.resolve(QemuNbd.PID_FILE)).strip());
        assertThat(ProcessHandle.of(pid)).hasValueSatisfying(h -> assertThat(h.isAlive()).isTrue());
        assertThat(orphan.size()).isEqualTo(2 << 20);

        assertThat(QemuNbd.stopLeftover(served)).isTrue();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(QemuNbd.stopLeftover(served)).isFalse(); // nothing left to stop
    }

    @Test
    void aRecycledPidIsLeftAlone() throws Exception {
        Path served = Files.createDirectory(dir.resolve("qemu-nbd-vdb"));
        Files.writeString(served.resolve(QemuNbd.PID_FILE), Long.toString(ProcessHandle.current().pid()));
        assertThat(QemuNbd.stopLeftover(served)).isFalse();
        assertThat(ProcessHandle.current().isAlive()).isTrue();
    }
}
