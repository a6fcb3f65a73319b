package io.lifeboat.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.DiskMap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Moving restored disks into place is all or nothing. */
class StagedDisksTest {

    @TempDir
    Path dir;

    @Test
    void aDiskThatCannotBeMovedIntoPlacePutsBackTheOnesAlreadyMoved() throws Exception {
        BackedUpVm vm = BackedUpVm.create("staged", dir);
        Path target = Files.createDirectories(dir.resolve("target"));
        Path vda = target.resolve("vda.qcow2");
        Path vdb = target.resolve("vdb.qcow2");
        Files.writeString(vda, "the disk that was there");
        try (Store store = vm.openStore()) {
            Map<DiskMap, Path> targets = new LinkedHashMap<>();
            for (DiskMap disk : store.manifest(vm.restorePoint).disks()) {
                targets.put(disk, disk.name().equals("vda") ? vda : vdb);
            }
            try (StagedDisks disks = new StagedDisks(targets, DiskFormat.QCOW2)) {
                disks.write(new RestoreSource(store), Progress.none(), new Cancellation());
                // something now stands where vdb goes and cannot be replaced: a directory with a file in it
                Files.writeString(Files.createDirectories(vdb).resolve("in-the-way"), "x");

                assertThatThrownBy(disks::commit).isInstanceOf(StoreException.class)
                        .hasMessageContaining(vdb.toString()).hasMessageContaining("was put back");
            }
        }
        assertThat(Files.readString(vda)).isEqualTo("the disk that was there");
        try (Stream<Path> left = Files.list(target)) {
            assertThat(left.map(p -> p.getFileName().toString()).toList())
                    .as("no staged, previous or half-moved file is left").containsExactlyInAnyOrder("vda.qcow2", "vdb.qcow2");
        }
    }

    @Test
    void aCommittedRestoreReplacesTheDiskAndKeepsNoPreviousCopy() throws Exception {
        BackedUpVm vm = BackedUpVm.create("staged", dir);
        Path target = Files.createDirectories(dir.resolve("target"));
        Path vda = target.resolve("vda.qcow2");
        Files.writeString(vda, "the disk that was there");
        try (Store store = vm.openStore()) {
            Map<DiskMap, Path> targets = new LinkedHashMap<>();
            for (DiskMap disk : store.manifest(vm.restorePoint).disks()) {
                targets.put(disk, target.resolve(disk.name() + ".qcow2"));
            }
            try (StagedDisks disks = new StagedDisks(targets, DiskFormat.QCOW2)) {
                disks.write(new RestoreSource(store), Progress.none(), new Cancellation());
                disks.commit();
            }
        }
        assertThat(TestImages.sameContent(vm.pristine("vda"), "qcow2", vda, "qcow2")).isTrue();
        try (Stream<Path> left = Files.list(target)) {
            assertThat(left.map(p -> p.getFileName().toString()).sorted().toList()).isEqualTo(List.of("vda.qcow2", "vdb.qcow2"));
        }
    }
}
