package io.lifeboat.store.replication;

import io.lifeboat.store.Progress;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.ChunkCompressor;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.pack.CorruptPackException;
import io.lifeboat.store.pack.PackFormat;
import io.lifeboat.store.pack.PackReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a replication bucket with nothing but the bucket: downloads every pack and checks it as
 * a mirror would (footer against the trailer's CRC32C and the pack id, then every frame's CRC32C,
 * decompression and SHA-256), then reads every manifest (trailing SHA-256, the restore point its
 * key names) and checks that each chunk it names is in an intact pack. Reports every damaged
 * object with the restore points that need it. Reads only; repairs nothing.
 *
 * <p>A pack is judged whole, as {@link BucketReader#mirrorTo} judges it: one damaged frame makes
 * every chunk of that pack unavailable, because a mirror refuses the whole pack.
 */
public final class BucketVerifier {
    private final S3Target target;
    private final BucketReader reader;

    public BucketVerifier(S3Target target) {
        this.target = target;
        this.reader = new BucketReader(target);
    }

    public BucketVerifyReport run(Progress progress) throws StoreException {
        Map<String, Long> packs = reader.packs();
        progress.phase("verify bucket packs", packs.values().stream().mapToLong(Long::longValue).sum());
        Set<Digest> intact = new HashSet<>();
        // chunks of damaged packs whose footer could still be read: which damaged pack a restore point needs
        Map<Digest, List<String>> inDamaged = new HashMap<>();
        Map<String, String> damagedPacks = new TreeMap<>();
        long chunks = 0;
        long bytes = 0;
        Path tmpDir = tempDir();
        try (ChunkCompressor codec = new ChunkCompressor(1)) {
            for (Map.Entry<String, Long> p : packs.entrySet()) {
                String key = BucketLayout.packKey(p.getKey());
                Path tmp = tmpDir.resolve(p.getKey() + PackFormat.EXTENSION);
                try {
                    bytes += target.download(key, tmp);
                    List<PackFormat.Entry> entries = null;
                    try (PackReader r = new PackReader(p.getKey(), tmp)) {
                        entries = r.entries();
                        FrameCheck.checkEvery(p.getKey(), tmp, entries, codec);
                        entries.forEach(e -> intact.add(e.digest()));
                    } catch (CorruptPackException e) {
                        damagedPacks.put(key, e.getMessage());
                        if (entries != null) {
                            entries.forEach(e2 -> inDamaged.computeIfAbsent(e2.digest(), d -> new ArrayList<>()).add(key));
                        }
                    }
                    chunks += entries == null ? 0 : entries.size();
                } catch (StoreException e) {
                    throw e;
                } catch (IOException e) {
                    throw StoreException.io("checking " + key, e);
                } finally {
                    delete(tmp);
                }
                progress.add(p.getValue());
            }
        } finally {
            delete(tmpDir);
        }

        List<RestorePointId> ids = reader.restorePoints();
        progress.phase("verify bucket restore points", ids.size());
        Map<String, List<String>> needers = new TreeMap<>();
        damagedPacks.keySet().forEach(k -> needers.put(k, new ArrayList<>()));
        Map<String, String> damagedManifests = new TreeMap<>();
        List<BucketVerifyReport.AffectedRestorePoint> affected = new ArrayList<>();
        for (RestorePointId id : ids) {
            String key = BucketLayout.manifestKey(id);
            Manifest m;
            try {
                m = reader.manifest(id);
            } catch (StoreException e) {
                if (e.kind() != StoreException.Kind.CORRUPT) {
                    throw e;
                }
                damagedManifests.put(key, e.getMessage());
                needers.put(key, List.of(id.toString()));
                affected.add(new BucketVerifyReport.AffectedRestorePoint(id.toString(), 0, "its manifest " + key + " is damaged"));
                progress.add(1);
                continue;
            }
            Set<Digest> missing = new HashSet<>();
            Set<String> causes = new LinkedHashSet<>();
            for (DiskMap disk : m.disks()) {
                for (int s = 0; s < disk.slotCount(); s++) {
                    Digest d = disk.digest(s);
                    if (d != null && !intact.contains(d) && missing.add(d)) {
                        causes.addAll(inDamaged.getOrDefault(d, List.of()));
                    }
                }
            }
            if (!missing.isEmpty()) {
                causes.forEach(c -> needers.get(c).add(id.toString()));
                affected.add(new BucketVerifyReport.AffectedRestorePoint(id.toString(), missing.size(), missing.size()
                        + " chunk(s) are in no intact pack in the bucket"
                        + (causes.isEmpty() ? "" : " (damaged: " + String.join(", ", causes) + ")")));
            }
            progress.add(1);
        }

        List<BucketVerifyReport.DamagedObject> damaged = new ArrayList<>();
        damagedPacks.forEach((k, why) -> damaged.add(new BucketVerifyReport.DamagedObject(k, why, needers.get(k))));
        damagedManifests.forEach((k, why) -> damaged.add(new BucketVerifyReport.DamagedObject(k, why, needers.get(k))));
        return new BucketVerifyReport(packs.size(), chunks, bytes, ids.size(), damaged, affected);
    }

    private static Path tempDir() throws StoreException {
        try {
            return Files.createTempDirectory("lifeboat-verify-bucket");
        } catch (IOException e) {
            throw StoreException.io("creating a temporary directory to check packs in", e);
        }
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover temporary file; the system's temporary directory is cleaned eventually
        }
    }
}
