package io.lifeboat.appliance.backup;

import io.lifeboat.kvm.blockjob.PullBackup;
import io.lifeboat.kvm.domain.BackupXml;
import io.lifeboat.store.manifest.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Cancel mid-read and recovery after a crash leave nothing behind. */
class CancelAndRecoveryTest {
    private static final long MiB = 1 << 20;

    @TempDir
    Path dir;
    EngineHarness h;

    @BeforeEach
    void setUp() throws Exception {
        // Slow reads so that the test can catch the job mid-read.
        h = new EngineHarness(dir, BackupOptions.defaults().withMaxReadBytesPerSecond(4 * MiB));
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    @Test
    void cancelMidReadLeavesNoCheckpointScratchSocketOrRestorePoint() throws Exception {
        TestVm vm = h.vm(true, false, 64 * MiB, 32 * MiB);
        vm.write("vda", 0x5a, 0, 32 * MiB);
        BackupJob job = h.engine.start(vm.name());
        EngineHarness.waitFor("the job to be reading", Duration.ofSeconds(60), () ->
                job.progress().snapshot().phase().startsWith("backup") && job.progress().snapshot().done() > 0);
        assertThat(vm.domain().checkpointListNames(0)).hasSize(1);
        assertThat(Files.exists(h.runRoot.resolve(job.id()).resolve("nbd.sock"))).isTrue();
        assertThat(Files.exists(h.runRoot.resolve(job.id()).resolve("vda.scratch.qcow2"))).isTrue();

        job.cancel();
        assertThatThrownBy(() -> job.await(Duration.ofSeconds(60)))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.kind()).isEqualTo(BackupException.Kind.CANCELLED));
        assertThat(vm.domain().checkpointListNames(0)).isEmpty();
        assertThat(PullBackup.active(vm.domain())).isEmpty();
        assertThat(h.runRootEmpty()).isTrue();
        assertThat(h.store.list()).isEmpty();
        assertThat(h.engine.running()).isEmpty();

        // Nothing blocks the next backup, and it is a first (full) one.
        BackupResult r = h.engine.backup(vm.name());
        assertThat(r.kind()).isEqualTo(Manifest.Kind.FULL);
        assertThat(r.fullReason()).isEqualTo("first backup of this VM");
        assertThat(h.restoredDigests(r.restorePoint())).isEqualTo(vm.modelDigests());
    }

    @Test
    void recoverEndsTheJobAndDeletesTheCheckpointAndRunDirectoryOfACrashedAppliance() throws Exception {
        TestVm vm = h.vm(true, false, 64 * MiB, 32 * MiB);
        vm.write("vda", 0x5a, 0, MiB);
        BackupResult kept = h.engine.backup(vm.name());

        // What a job leaves when the appliance dies mid-read: run directory, libvirt job, checkpoint.
        RunDirectory run = RunDirectory.create(h.runRoot, "deadbeef");
        DomainDefinition def = DomainDefinition.parse(vm.domain().getXMLDesc(0));
        String cp = CheckpointChain.newName(h.store, "deadbeef");
        run.writeState(vm.name(), cp);
        PullBackup.begin(vm.domain(), BackupXml.backup(run.socket(), run::scratch, def.disks(), null), BackupXml.checkpoint(cp, "deadbeef", def.disks()));
        // And a checkpoint whose run directory is gone.
        String orphan = CheckpointChain.prefix(h.store) + "orphan";
        vm.domain().checkpointCreateXML("<domaincheckpoint><name>" + orphan + "</name></domaincheckpoint>", 0);
        // A checkpoint of another store on the same host is none of this engine's business.
        vm.domain().checkpointCreateXML("<domaincheckpoint><name>lifeboat-0therst0-x</name></domaincheckpoint>", 0);
        assertThat(PullBackup.active(vm.domain())).isPresent();

        RecoveryReport report = h.engine.recover();
        assertThat(report.failures()).isEmpty();
        assertThat(report.actions()).anyMatch(a -> a.contains("ended libvirt backup job"))
                .anyMatch(a -> a.contains(cp)).anyMatch(a -> a.contains(orphan));
        assertThat(PullBackup.active(vm.domain())).isEmpty();
        assertThat(vm.domain().checkpointListNames(0)).containsExactlyInAnyOrder(kept.checkpoint(), "lifeboat-0therst0-x");
        assertThat(h.runRootEmpty()).isTrue();

        vm.write("vdb", 0x11, MiB, MiB);
        BackupResult next = h.engine.backup(vm.name());
        assertThat(next.kind()).isEqualTo(Manifest.Kind.INCREMENTAL);
        assertThat(h.restoredDigests(next.restorePoint())).isEqualTo(vm.modelDigests());
    }
}
