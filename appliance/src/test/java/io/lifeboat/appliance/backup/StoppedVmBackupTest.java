package io.lifeboat.appliance.backup;

import io.lifeboat.store.manifest.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A stopped VM's images are read directly: full read of allocated extents, dedup against earlier ones. */
class StoppedVmBackupTest {
    private static final long MiB = 1 << 20;

    @TempDir
    Path dir;
    EngineHarness h;

    @BeforeEach
    void setUp() throws Exception {
        h = new EngineHarness(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    @Test
    void stoppedVmIsBackedUpOfflineFromItsImages() throws Exception {
        TestVm vm = h.vm(false, false, 64 * MiB, 32 * MiB);
        vm.write("vda", 0x5a, MiB, 2 * MiB);
        vm.write("vdb", 0xa5, 30 * MiB, MiB);

        BackupResult first = h.engine.backup(vm.name());
        assertThat(first.kind()).isEqualTo(Manifest.Kind.FULL);
        assertThat(first.consistency()).isEqualTo(Manifest.Consistency.OFFLINE);
        assertThat(first.checkpoint()).isEmpty();
        assertThat(first.fullReason()).contains("VM is stopped");
        assertThat(first.bytesReadPerDisk().get("vda")).isBetween(2 * MiB, 3 * MiB);
        assertThat(first.bytesReadPerDisk().get("vdb")).isBetween(MiB, 2 * MiB);
        assertThat(h.restoredDigests(first.restorePoint())).isEqualTo(vm.modelDigests());

        vm.write("vda", 0x77, 40 * MiB, MiB);
        BackupResult second = h.engine.backup(vm.name());
        assertThat(second.kind()).isEqualTo(Manifest.Kind.FULL);
        // Everything is read again, but only the new megabyte is stored.
        assertThat(second.bytesRead()).isGreaterThanOrEqualTo(4 * MiB);
        assertThat(second.newStoredBytes()).isLessThan(MiB);
        assertThat(h.restoredDigests(second.restorePoint())).isEqualTo(vm.modelDigests());
        assertThat(h.runRootEmpty()).isTrue();
    }
}
