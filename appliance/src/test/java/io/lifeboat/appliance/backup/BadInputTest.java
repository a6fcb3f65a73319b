package io.lifeboat.appliance.backup;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Requests the engine refuses with one clear message, before touching libvirt's backup API. */
class BadInputTest {
    private static final long MiB = 1 << 20;

    @TempDir
    Path dir;
    EngineHarness h;

    @BeforeEach
    void setUp() throws Exception {
        h = new EngineHarness(dir, BackupOptions.defaults().withMaxReadBytesPerSecond(4 * MiB));
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    @Test
    void unknownVm() {
        assertThatThrownBy(() -> h.engine.start("no-such-vm-" + System.nanoTime()))
                .isInstanceOfSatisfying(BackupException.class, e -> {
                    assertThat(e.kind()).isEqualTo(BackupException.Kind.NOT_FOUND);
                    assertThat(e.getMessage()).startsWith("no VM named 'no-such-vm-");
                });
        assertThatThrownBy(() -> h.engine.start("bad/name"))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.kind()).isEqualTo(BackupException.Kind.BAD_INPUT));
    }

    @Test
    void vmWithoutDisks() throws Exception {
        TestVm vm = h.vm(true, false);
        assertThatThrownBy(() -> h.engine.start(vm.name()))
                .isInstanceOfSatisfying(BackupException.class, e -> {
                    assertThat(e.kind()).isEqualTo(BackupException.Kind.BAD_INPUT);
                    assertThat(e.getMessage()).isEqualTo("VM " + vm.name() + " has no disks to back up");
                });
        assertThat(h.runRootEmpty()).isTrue();
    }

    @Test
    void secondBackupOfTheSameVmIsRefusedWhileOtherVmsRun() throws Exception {
        TestVm vm = h.vm(true, false, 64 * MiB, 32 * MiB);
        TestVm other = h.vm(true, false, 32 * MiB);
        vm.write("vda", 0x5a, 0, 16 * MiB);
        other.write("vda", 0x11, 0, MiB);
        BackupJob first = h.engine.start(vm.name());
        assertThatThrownBy(() -> h.engine.start(vm.name()))
                .isInstanceOfSatisfying(BackupException.class, e -> {
                    assertThat(e.kind()).isEqualTo(BackupException.Kind.CONFLICT);
                    assertThat(e.getMessage()).startsWith("a backup of " + vm.name() + " is already running (job " + first.id());
                });
        BackupResult otherResult = h.engine.start(other.name()).await(Duration.ofSeconds(60));
        assertThat(h.restoredDigests(otherResult.restorePoint())).isEqualTo(other.modelDigests());
        assertThat(first.isDone()).isFalse();
        first.cancel();
        assertThatThrownBy(() -> first.await(Duration.ofSeconds(60))).isInstanceOf(BackupException.class);
    }
}
