package io.lifeboat.appliance.api;

import io.lifeboat.appliance.catalog.RestorePoint;
import io.lifeboat.appliance.catalog.RestorePointRepository;
import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.BackupSession;
import io.lifeboat.store.ingest.Ingester;
import io.lifeboat.store.ingest.RawFileSource;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * A real restore point in the appliance's store and catalog, made through the store API (no
 * libvirt): a sparse 4 MiB image with 300 KiB of data that names the VM, so that no two tests'
 * backups dedup against each other.
 */
public final class CatalogedBackups {
    private CatalogedBackups() {
    }

    public static RestorePointId backUp(ChunkStore chunkStore, RestorePointRepository catalog, Path dir, String vm)
            throws IOException {
        return backUp(chunkStore, catalog, vm, Map.of("vda", image(dir, vm)));
    }

    /** The 4 MiB image {@link #backUp(ChunkStore, RestorePointRepository, Path, String)} backs up, in {@code dir}. */
    public static Path image(Path dir, String vm) throws IOException {
        Path image = dir.resolve(vm + ".raw");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(4L << 20);
            byte[] data = new byte[300 << 10];
            Arrays.fill(data, (byte) 0x5a);
            byte[] name = ("lifeboat test " + vm).getBytes(StandardCharsets.UTF_8);
            System.arraycopy(name, 0, data, 0, name.length);
            System.arraycopy(name, 0, data, 256 << 10, name.length);
            f.seek(1L << 20);
            f.write(data);
        }
        return image;
    }

    /** A full, offline restore point of {@code vm} with these images as its disks (name → raw image), cataloged. */
    public static RestorePointId backUp(ChunkStore chunkStore, RestorePointRepository catalog, String vm,
                                        Map<String, Path> images) throws IOException {
        Store store = chunkStore.get();
        try (BackupSession session = store.beginBackup(vm)) {
            for (Map.Entry<String, Path> image : new java.util.TreeMap<>(images).entrySet()) {
                try (RawFileSource source = new RawFileSource(image.getValue())) {
                    DiskMap disk = session.newDisk(image.getKey(), source.size());
                    new Ingester(1, store.config().zstdLevel()).ingest(session, disk, source, source.allocated(),
                            Progress.none());
                }
            }
            Manifest m = session.commit(Manifest.Kind.FULL, Manifest.Consistency.OFFLINE, null, null, Map.of());
            catalog.insert(RestorePoint.committed(m, session.stats(), Duration.ofMillis(1234), "cp1"));
            return m.id();
        }
    }
}
