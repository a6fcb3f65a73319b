package io.lifeboat.appliance.backup;

import io.lifeboat.kvm.blockjob.PullBackup;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Full and incremental backups of a running VM through libvirt's pull-mode backup API. */
class RunningVmBackupTest {
    private static final long MiB = 1 << 20;
    private static final long CHUNK = 256 << 10;

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
    void fullThenIncrementalReadsOnlyWhatTheGuestWrote() throws Exception {
        TestVm vm = h.vm(true, false, 64 * MiB, 32 * MiB);
        vm.write("vda", 0xab, 8 * MiB, MiB);
        vm.write("vdb", 0xcd, MiB, 2 * MiB);

        BackupResult full = h.engine.backup(vm.name());
        assertThat(full.kind()).isEqualTo(Manifest.Kind.FULL);
        assertThat(full.consistency()).isEqualTo(Manifest.Consistency.CRASH);
        assertThat(full.fullReason()).isEqualTo("first backup of this VM");
        assertThat(full.quiesce()).contains("no guest agent channel");
        assertThat(full.checkpoint()).startsWith("lifeboat-");
        assertThat(full.bytesReadPerDisk().get("vda")).isBetween(MiB, MiB + 2 * CHUNK);
        assertThat(full.bytesReadPerDisk().get("vdb")).isBetween(2 * MiB, 2 * MiB + 2 * CHUNK);
        assertThat(vm.domain().checkpointListNames(0)).containsExactly(full.checkpoint());
        assertThat(h.restoredDigests(full.restorePoint())).isEqualTo(vm.modelDigests());

        Manifest fm = h.store.manifest(full.restorePoint());
        assertThat(fm.attributes()).containsEntry(ManifestAttributes.CHECKPOINT, full.checkpoint())
                .containsEntry("bytesRead.vda", Long.toString(full.bytesReadPerDisk().get("vda")))
                .containsKey(ManifestAttributes.FULL_REASON);
        assertThat(fm.domainXml()).contains("<name>" + vm.name() + "</name>");

        vm.write("vda", 0x11, 20 * MiB, MiB);
        vm.write("vdb", 0x22, 5 * MiB, 512 << 10);
        vm.write("vda", 0x33, 8 * MiB + 4096, 4096); // inside data the full backup already has

        BackupResult inc = h.engine.backup(vm.name());
        assertThat(inc.kind()).isEqualTo(Manifest.Kind.INCREMENTAL);
        assertThat(inc.parent()).isEqualTo(full.restorePoint().toString());
        assertThat(inc.fullReason()).isEmpty();
        long written = MiB + (512 << 10) + 4096;
        assertThat(inc.bytesRead()).isBetween(written, written + 6 * CHUNK).isLessThan(96 * MiB / 20);
        assertThat(h.restoredDigests(inc.restorePoint())).isEqualTo(vm.modelDigests());
        assertThat(h.store.manifest(inc.restorePoint()).attributes())
                .containsEntry(ManifestAttributes.INCREMENTAL_FROM, full.checkpoint());
        assertThat(vm.domain().checkpointListNames(0)).containsExactlyInAnyOrder(full.checkpoint(), inc.checkpoint());
        assertThat(PullBackup.active(vm.domain())).isEmpty();
        assertThat(h.runRootEmpty()).isTrue();
    }

    @Test
    void chainOfIncrementalsRestoresBitExactAfterDeletingSomeInTheMiddle() throws Exception {
        TestVm vm = h.vm(true, false, 64 * MiB, 32 * MiB);
        List<RestorePointId> points = new ArrayList<>();
        List<Map<String, String>> expected = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            vm.write("vda", 0x40 + i, (i * 7L % 60) * MiB + i * 4096L, MiB / 2);
            vm.write("vdb", 0x80 + i, (i * 5L % 30) * MiB, 64 << 10);
            BackupResult r = h.engine.backup(vm.name());
            assertThat(r.kind()).isEqualTo(i == 0 ? Manifest.Kind.FULL : Manifest.Kind.INCREMENTAL);
            if (i > 0) {
                assertThat(r.parent()).isEqualTo(points.get(i - 1).toString());
                assertThat(r.bytesRead()).isLessThan(2 * MiB);
            }
            points.add(r.restorePoint());
            expected.add(vm.modelDigests());
        }
        h.store.delete(points.get(2));
        h.store.delete(points.get(4));
        for (int i : new int[] {0, 1, 3, 5}) {
            assertThat(h.restoredDigests(points.get(i))).as("restore point %d", i).isEqualTo(expected.get(i));
        }

        // The next backup prunes the checkpoints of the deleted restore points and stays incremental.
        vm.write("vda", 0x99, 33 * MiB, MiB);
        BackupResult next = h.engine.backup(vm.name());
        assertThat(next.kind()).isEqualTo(Manifest.Kind.INCREMENTAL);
        assertThat(next.parent()).isEqualTo(points.get(5).toString());
        assertThat(h.restoredDigests(next.restorePoint())).isEqualTo(vm.modelDigests());
        assertThat(vm.domain().checkpointListNames(0)).hasSize(5);
    }

    @Test
    void checkpointDeletedBehindOurBackGivesAFullBackupWithTheReason() throws Exception {
        TestVm vm = h.vm(true, false, 64 * MiB, 32 * MiB);
        vm.write("vda", 0xab, 0, MiB);
        BackupResult first = h.engine.backup(vm.name());
        vm.domain().checkpointLookupByName(first.checkpoint()).delete(0);
        vm.write("vdb", 0xcd, 3 * MiB, MiB);

        BackupResult second = h.engine.backup(vm.name());
        assertThat(second.kind()).isEqualTo(Manifest.Kind.FULL);
        assertThat(second.fullReason()).contains(first.checkpoint()).contains("no longer exists in libvirt");
        assertThat(h.store.manifest(second.restorePoint()).attributes().get(ManifestAttributes.FULL_REASON))
                .isEqualTo(second.fullReason());
        assertThat(h.restoredDigests(second.restorePoint())).isEqualTo(vm.modelDigests());

        vm.write("vda", 0xef, 10 * MiB, MiB);
        BackupResult third = h.engine.backup(vm.name());
        assertThat(third.kind()).isEqualTo(Manifest.Kind.INCREMENTAL);
        assertThat(h.restoredDigests(third.restorePoint())).isEqualTo(vm.modelDigests());
    }

    @Test
    void agentChannelWithoutAnAnsweringAgentFallsBackToCrashConsistent() throws Exception {
        TestVm vm = h.vm(true, true, 64 * MiB, 32 * MiB);
        vm.write("vda", 0x5a, 2 * MiB, MiB);
        BackupResult r = h.engine.backup(vm.name());
        assertThat(r.consistency()).isEqualTo(Manifest.Consistency.CRASH);
        assertThat(r.quiesce()).startsWith("guest agent could not freeze the file systems");
        assertThat(h.store.manifest(r.restorePoint()).attributes().get(ManifestAttributes.QUIESCE)).isEqualTo(r.quiesce());
        assertThat(h.restoredDigests(r.restorePoint())).isEqualTo(vm.modelDigests());
    }
}
