package io.lifeboat.appliance.backup;

import io.lifeboat.appliance.inventory.TestVms;
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

    @Test
    void aVmStoppedAfterACheckpointedBackupIsBackedUpIncrementallyFromItsBitmap() throws Exception {
        TestVm vm = h.vm(true, false, 64 * MiB, 32 * MiB);
        vm.write("vda", 0x31, 0, 8 * MiB);
        vm.write("vdb", 0x32, 4 * MiB, 4 * MiB);
        BackupResult full = h.engine.backup(vm.name());
        assertThat(full.kind()).isEqualTo(Manifest.Kind.FULL);
        assertThat(full.checkpoint()).isNotEmpty();

        vm.write("vda", 0x33, 20 * MiB, MiB); // while it runs: into the checkpoint's bitmap
        vm.domain().destroy(); // QEMU closes the images: the bitmap is stored in the qcow2
        vm.write("vdb", 0x34, 16 * MiB, 512 * 1024); // offline, through qemu-io: recorded too

        BackupResult stopped = h.engine.backup(vm.name());
        assertThat(stopped.kind()).isEqualTo(Manifest.Kind.INCREMENTAL);
        assertThat(stopped.consistency()).isEqualTo(Manifest.Consistency.OFFLINE);
        assertThat(stopped.parent()).isEqualTo(full.restorePoint().toString());
        // only what was written since the checkpoint is read, widened to whole chunks
        assertThat(stopped.bytesReadPerDisk().get("vda")).isBetween(MiB, 2 * MiB);
        assertThat(stopped.bytesReadPerDisk().get("vdb")).isBetween(512 * 1024L, 2 * MiB);
        assertThat(h.restoredDigests(stopped.restorePoint())).isEqualTo(vm.modelDigests());

        // the chain goes on from the same base once it runs again: the bitmap holds every write since
        vm.domain().create();
        vm.write("vda", 0x35, 30 * MiB, MiB);
        BackupResult running = h.engine.backup(vm.name());
        assertThat(running.kind()).isEqualTo(Manifest.Kind.INCREMENTAL);
        assertThat(running.bytesReadPerDisk().get("vda")).isBetween(2 * MiB, 4 * MiB);
        assertThat(h.restoredDigests(running.restorePoint())).isEqualTo(vm.modelDigests());
        assertThat(h.runRootEmpty()).isTrue();
    }

    @Test
    void aStoppedVmWhoseBitmapIsGoneIsReadInFull() throws Exception {
        TestVm vm = h.vm(true, false, 32 * MiB);
        vm.write("vda", 0x41, 0, 4 * MiB);
        BackupResult full = h.engine.backup(vm.name());
        vm.domain().destroy();
        TestVms.run("qemu-img", "bitmap", "--remove", vm.image("vda").toString(), full.checkpoint());
        vm.write("vda", 0x42, 8 * MiB, MiB);

        BackupResult stopped = h.engine.backup(vm.name());
        assertThat(stopped.kind()).isEqualTo(Manifest.Kind.FULL);
        assertThat(stopped.bytesRead()).isGreaterThanOrEqualTo(5 * MiB);
        assertThat(h.restoredDigests(stopped.restorePoint())).isEqualTo(vm.modelDigests());
        assertThat(h.runRootEmpty()).isTrue();
    }
}
