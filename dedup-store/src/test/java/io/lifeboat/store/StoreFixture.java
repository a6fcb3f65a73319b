package io.lifeboat.store;

import io.lifeboat.store.BackupSession;
import io.lifeboat.store.ingest.DiskSource;
import io.lifeboat.store.ingest.Ingester;
import io.lifeboat.store.ingest.RawFileSource;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.read.DiskRestorer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Backing up and restoring image files through the library API, as the CLI does. */
public final class StoreFixture {
    private StoreFixture() {
    }

    public static StoreConfig small() {
        return StoreConfig.defaults().withChunkSize(64 << 10).withPackTargetSize(1 << 20);
    }

    public static Manifest backup(Store store, String vm, Path... images) throws IOException {
        try (BackupSession s = store.beginBackup(vm)) {
            ingestAll(store, s, images);
            return s.commit(Manifest.Kind.FULL, Manifest.Consistency.OFFLINE, "", "<domain/>", Map.of());
        }
    }

    public static void ingestAll(Store store, BackupSession s, Path... images) throws IOException {
        Ingester ingester = new Ingester(2, store.config().zstdLevel());
        for (int i = 0; i < images.length; i++) {
            try (DiskSource src = new RawFileSource(images[i])) {
                DiskMap map = s.newDisk("vd" + (char) ('a' + i), src.size());
                ingester.ingest(s, map, src, src.allocated(), Progress.none());
            }
        }
    }

    public static Path restore(Store store, Manifest m, String disk, Path target) throws IOException {
        new DiskRestorer(store.chunks(), 2).restore(m.disk(disk), target, false, Progress.none());
        return target;
    }

    /** The first slot of the disk that holds data. */
    public static int firstDataSlot(DiskMap disk) {
        for (int s = 0; s < disk.slotCount(); s++) {
            if (!disk.isZero(s)) {
                return s;
            }
        }
        throw new IllegalStateException("disk " + disk.name() + " has no data");
    }
}
