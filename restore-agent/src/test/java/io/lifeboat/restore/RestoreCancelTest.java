package io.lifeboat.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.read.ChunkSource;
import io.lifeboat.testkit.Gate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cancelling a restore against the real libvirtd: held in its restore phase (its chunk reads wait
 * for the test), a cancel leaves nothing behind; past the point of no return it is refused.
 */
class RestoreCancelTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    TestLibvirt libvirt;

    @BeforeEach
    void connect() throws Exception {
        libvirt = new TestLibvirt();
    }

    @AfterEach
    void cleanUp() throws Exception {
        libvirt.close();
    }

    @Test
    void aCancelWhileRestoringOverTheOriginalLeavesItAsItWas() throws Exception {
        BackedUpVm vm = BackedUpVm.create(libvirt.name("cancel"), dir);
        vm.defineOriginal(libvirt);
        TestImages.write(vm.originalDisk("vda"), 0xee, 0, TestImages.MIB); // the guest changed its disk since
        String before = libvirt.inactiveXml(vm.name);
        RestoreRequest over = RestoreRequest.of(vm.restorePoint, null).withMode(RestoreMode.OVER_ORIGINAL)
                .withOverwrite(true).withFormat(DiskFormat.QCOW2);
        try (Store store = vm.openStore()) {
            Gate held = new Gate();
            VmRestore restore = new VmRestore(new RestoreSource(store, held.guard(ChunkSource.class, store.chunks(), "read",
                    e -> new StoreException(StoreException.Kind.IO, "chunk read interrupted", e))));
            Cancellation cancel = new Cancellation();
            Progress progress = new Progress();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread restoring = new Thread(() -> {
                cancel.runsOn(Thread.currentThread());
                try {
                    restore.restore(over, progress, cancel);
                } catch (Throwable t) {
                    thrown.set(t);
                } finally {
                    cancel.ended();
                }
            }, "restoring");
            try {
                restoring.start();
                assertThat(held.awaitArrival(WAIT)).as("the restore reads chunks").isTrue();
                assertThat(progress.snapshot().phase()).isEqualTo("restore vda");

                assertThat(cancel.request()).as("before the point of no return").isTrue();
                restoring.join(WAIT.toMillis());
            } finally {
                held.open();
            }
            assertThat(restoring.isAlive()).isFalse();
            assertThat(thrown.get()).isInstanceOf(RestoreException.class).hasMessageStartingWith("restore cancelled");
        }
        assertThat(TestImages.holds(vm.originalDisk("vda"), 0xee, 0, TestImages.MIB)).isTrue();
        assertThat(TestImages.sameContent(vm.pristine("vdb"), "qcow2", vm.originalDisk("vdb"), "qcow2")).isTrue();
        assertThat(libvirt.inactiveXml(vm.name)).isEqualTo(before);
        assertThat(VmRestoreTest.listing(vm.dir)).noneMatch(f -> f.startsWith("."));
    }

    @Test
    void aCancelAskedBeforeTheRestoreRunsStopsItBeforeItWrites() throws Exception {
        BackedUpVm vm = BackedUpVm.create(libvirt.name("early"), dir);
        Path target = Files.createDirectory(dir.resolve("target"));
        String name = libvirt.name("never");
        Cancellation cancel = new Cancellation();
        assertThat(cancel.request()).isTrue();
        try (Store store = vm.openStore()) {
            VmRestore restore = new VmRestore(new RestoreSource(store));
            cancel.runsOn(Thread.currentThread());
            try {
                assertThatThrownBy(() -> restore.restore(RestoreRequest.of(vm.restorePoint, target).withName(name),
                        Progress.none(), cancel)).hasMessageStartingWith("restore cancelled");
            } finally {
                cancel.ended();
                Thread.interrupted();
            }
        }
        assertThat(VmRestoreTest.listing(target)).isEmpty();
        assertThat(libvirt.exists(name)).isFalse();
    }

    @Test
    void pastThePointOfNoReturnACancelIsRefusedAndInterruptsNothing() throws Exception {
        Cancellation cancel = Cancellation.ofCurrentThread();
        try {
            cancel.commit();
            assertThat(cancel.request()).isFalse();
            assertThat(cancel.requested()).isFalse();
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
        } finally {
            cancel.ended();
        }
        Cancellation cancelled = Cancellation.ofCurrentThread();
        try {
            assertThat(cancelled.request()).isTrue();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
            assertThatThrownBy(cancelled::commit).hasMessageStartingWith("restore cancelled");
        } finally {
            cancelled.ended();
            Thread.interrupted();
        }
    }
}
