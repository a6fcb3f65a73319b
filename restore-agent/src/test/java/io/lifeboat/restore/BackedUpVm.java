package io.lifeboat.restore;

import static io.lifeboat.restore.TestImages.MIB;

import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreConfig;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.BackupSession;
import io.lifeboat.store.ingest.DiskSource;
import io.lifeboat.store.ingest.ImageFiles;
import io.lifeboat.store.ingest.Ingester;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A small VM backed up into a fresh store, the way the backup engine does it: two qcow2 disks
 * with known patterns (vda 8 MiB, vdb 4 MiB, mostly holes), ingested with the store's own API,
 * and the VM's domain definition in the manifest. The images stay as they were backed up
 * ({@link #pristine}), so restored disks can be compared with them.
 */
final class BackedUpVm {
    final String name;
    final String uuid = UUID.randomUUID().toString();
    final String mac = "52:54:00:aa:00:01";
    final Path dir;
    final RestorePointId restorePoint;
    final String domainXml;

    private BackedUpVm(String name, Path dir, String moreDevices) throws IOException {
        this.name = name;
        this.dir = dir;
        Path vda = TestImages.qcow2(dir.resolve("pristine-vda.qcow2"), 8 * MIB);
        TestImages.write(vda, 0xab, 0, MIB);
        TestImages.write(vda, 0xcd, 5 * MIB, MIB / 2);
        Path vdb = TestImages.qcow2(dir.resolve("pristine-vdb.qcow2"), 4 * MIB);
        TestImages.write(vdb, 0x5a, MIB, MIB);
        // The definition names the original's own disk files, as a backed-up VM's would.
        domainXml = TestImages.domainXml(name, uuid, List.of(originalDisk("vda"), originalDisk("vdb")), mac, moreDevices);
        try (Store store = Store.init(dir.resolve("store"), StoreConfig.defaults());
             BackupSession session = store.beginBackup(name)) {
            Ingester ingester = Ingester.forThisMachine(1);
            for (String disk : List.of("vda", "vdb")) {
                try (DiskSource source = ImageFiles.open(pristine(disk))) {
                    ingester.ingest(session, session.newDisk(disk, source.size()), source, source.allocated(), Progress.none());
                }
            }
            Manifest m = session.commit(Manifest.Kind.FULL, Manifest.Consistency.OFFLINE, "", domainXml, Map.of());
            restorePoint = m.id();
        }
    }

    static BackedUpVm create(String name, Path dir) throws IOException {
        return new BackedUpVm(name, dir, "");
    }

    static BackedUpVm create(String name, Path dir, String moreDevices) throws IOException {
        return new BackedUpVm(name, dir, moreDevices);
    }

    Path store() {
        return dir.resolve("store");
    }

    Store openStore() throws StoreException {
        return Store.open(store());
    }

    Path pristine(String disk) {
        return dir.resolve("pristine-" + disk + ".qcow2");
    }

    Path originalDisk(String disk) {
        return dir.resolve("original-" + disk + ".qcow2");
    }

    /** Defines the original VM on its own disk files (fresh copies of what was backed up). */
    void defineOriginal(TestLibvirt libvirt) throws Exception {
        for (String disk : List.of("vda", "vdb")) {
            Files.copy(pristine(disk), originalDisk(disk), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        libvirt.remember(name);
        libvirt.connect().domainDefineXML(domainXml);
    }
}
