package io.lifeboat.store.replication;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreConfig;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.ChunkCompressor;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.ManifestFormat;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.pack.CorruptPackException;
import io.lifeboat.store.pack.PackDirectory;
import io.lifeboat.store.pack.PackFormat;
import io.lifeboat.store.pack.PackId;
import io.lifeboat.store.pack.PackReader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The recovery site's view of a bucket: it needs nothing but the bucket. It lists VMs and restore
 * points, reads manifests, reads single chunks with a ranged GET of their frame, and
 * {@linkplain #mirrorTo mirrors} the bucket into a local store that the ordinary restore code
 * (DiskRestorer, NBD export, verify) works on unchanged.
 *
 * <p>Nothing read from the bucket is trusted: a manifest must match its trailing SHA-256 and name
 * the restore point its key names; a pack's footer must match its CRC32C and its id (the footer's
 * SHA-256); every frame must match its CRC32C, decompress to its raw length and match its SHA-256.
 * What fails is refused, never handed out or written into the local store.
 */
public final class BucketReader {
    /** A footer of 32 MiB of 256 KiB chunks is about 6.6 KiB: one ranged GET usually gets it whole. */
    private static final int TAIL_GUESS = 64 << 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final S3Target target;

    public BucketReader(S3Target target) {
        this.target = target;
    }

    public List<String> vms() throws StoreException {
        return restorePoints().stream().map(RestorePointId::vm).distinct().toList();
    }

    /** Every restore point in the bucket, in VM then time order. */
    public List<RestorePointId> restorePoints() throws StoreException {
        TreeSet<RestorePointId> ids = new TreeSet<>();
        for (String key : target.list(BucketLayout.MANIFESTS).keySet()) {
            BucketLayout.restorePoint(key).ifPresent(ids::add);
        }
        return List.copyOf(ids);
    }

    /** Every pack in the bucket, by id, with its size. */
    public Map<String, Long> packs() throws StoreException {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (Map.Entry<String, Long> e : target.list(BucketLayout.PACKS).entrySet()) {
            BucketLayout.packId(e.getKey()).ifPresent(id -> out.put(id, e.getValue()));
        }
        return out;
    }

    public Manifest manifest(RestorePointId id) throws StoreException {
        return decodeManifest(id, target.get(BucketLayout.manifestKey(id)));
    }

    private static Manifest decodeManifest(RestorePointId id, byte[] bytes) throws StoreException {
        Manifest m = ManifestFormat.decode(bytes, "bucket object " + BucketLayout.manifestKey(id));
        if (!m.id().equals(id)) {
            throw new StoreException(StoreException.Kind.CORRUPT, "bucket object " + BucketLayout.manifestKey(id)
                    + " holds restore point " + m.id());
        }
        return m;
    }

    /**
     * A pack's footer entries, from a ranged GET of the pack's tail (two if the footer is larger
     * than the first guess), checked against the trailer's CRC32C and the pack id.
     */
    public List<PackFormat.Entry> footer(String packId, long packSize) throws StoreException {
        String key = BucketLayout.packKey(packId);
        byte[] tail = target.getTail(key, packSize, TAIL_GUESS);
        if (tail.length < PackFormat.TRAILER_SIZE) {
            throw new CorruptPackException(packId, "object of " + tail.length + " bytes is too short to be a pack");
        }
        ByteBuffer t = ByteBuffer.wrap(tail, tail.length - PackFormat.TRAILER_SIZE, PackFormat.TRAILER_SIZE);
        long footerOffset = t.getLong();
        int crc = t.getInt();
        if (t.getInt() != PackFormat.TRAILER_MAGIC) {
            throw new CorruptPackException(packId, "bad trailer magic");
        }
        long footerLen = packSize - PackFormat.TRAILER_SIZE - footerOffset;
        if (footerOffset < PackFormat.HEADER_SIZE || footerLen < 8 || footerLen > (64 << 20)) {
            throw new CorruptPackException(packId, "bad footer offset " + footerOffset);
        }
        byte[] footer;
        if (footerLen + PackFormat.TRAILER_SIZE <= tail.length) {
            int from = (int) (tail.length - PackFormat.TRAILER_SIZE - footerLen);
            footer = java.util.Arrays.copyOfRange(tail, from, from + (int) footerLen);
        } else {
            footer = target.getRange(key, footerOffset, footerLen);
        }
        CRC32C c = new CRC32C();
        c.update(footer);
        if ((int) c.getValue() != crc || footer.length != footerLen) {
            throw new CorruptPackException(packId, "footer checksum mismatch");
        }
        if (!PackId.of(footer).equals(packId)) {
            throw new CorruptPackException(packId, "footer does not match the pack's id");
        }
        return PackFormat.parseFooter(footer, packId);
    }

    /**
     * One chunk's raw bytes, by a ranged GET of its frame; {@code entry} comes from
     * {@link #footer}. Throws CORRUPT unless the frame is the expected chunk and intact.
     */
    public byte[] chunk(String packId, PackFormat.Entry entry) throws StoreException {
        byte[] frame = target.getRange(BucketLayout.packKey(packId), entry.offset(),
                PackFormat.FRAME_HEADER_SIZE + (long) entry.storedLength());
        byte[] raw = new byte[entry.rawLength()];
        try (ChunkCompressor codec = new ChunkCompressor(1)) {
            String problem = FrameCheck.check(packId, entry, frame, codec, raw);
            if (problem != null) {
                throw new StoreException(StoreException.Kind.CORRUPT, "chunk " + entry.digest() + " in pack "
                        + packId + " is damaged in the bucket: " + problem);
            }
        }
        return raw;
    }

    /**
     * Makes {@code dir} a local store holding what the bucket holds: its configuration (if the
     * directory is not a store yet), every pack that verifies, indexed from its footer, and every
     * restore point whose manifest verifies and whose chunks are all present. Incremental: what the
     * local store already has is not fetched again, so an interrupted mirror is resumed by running
     * it again. The ordinary restore code then reads the local store.
     */
    public MirrorReport mirrorTo(Path dir, Progress progress) throws StoreException {
        List<String> refused = new ArrayList<>();
        int packsDone = 0;
        int manifestsDone = 0;
        int skipped = 0;
        long bytes = 0;
        try (Store store = openOrInit(dir)) {
            Map<String, Long> packs = packs();
            progress.phase("mirror packs", packs.values().stream().mapToLong(Long::longValue).sum());
            try (ChunkCompressor codec = new ChunkCompressor(1)) {
                for (Map.Entry<String, Long> p : packs.entrySet()) {
                    if (store.index().pack(p.getKey()).isPresent()) {
                        skipped++;
                    } else {
                        try {
                            bytes += fetchPack(store, p.getKey(), codec);
                            packsDone++;
                        } catch (StoreException e) {
                            refused.add(e.getMessage());
                        }
                    }
                    progress.add(p.getValue());
                }
            }
            List<RestorePointId> ids = restorePoints();
            progress.phase("mirror restore points", ids.size());
            for (RestorePointId id : ids) {
                if (store.manifests().exists(id)) {
                    skipped++;
                } else {
                    try {
                        byte[] b = target.get(BucketLayout.manifestKey(id));
                        Manifest m = decodeManifest(id, b);
                        long missing = missingChunks(store, m);
                        if (missing > 0) {
                            refused.add("restore point " + id + ": " + missing
                                    + " chunk(s) are not in any intact pack in the bucket; not installed");
                        } else {
                            store.manifests().commit(m);
                            bytes += b.length;
                            manifestsDone++;
                        }
                    } catch (StoreException e) {
                        refused.add("restore point " + id + ": " + e.getMessage());
                    }
                }
                progress.add(1);
            }
        }
        return new MirrorReport(packsDone, manifestsDone, bytes, skipped, refused);
    }

    /**
     * Opens the local store, or creates it with the replicated store's chunk size, level and pack
     * size (so backups made at the recovery site dedup against it) and a new id of its own.
     */
    private Store openOrInit(Path dir) throws StoreException {
        if (Files.exists(dir.resolve(Store.CONFIG_FILE))) {
            return Store.open(dir);
        }
        StoreConfig config = StoreConfig.defaults();
        if (target.exists(BucketLayout.CONFIG_KEY)) {
            try {
                StoreConfig source = JSON.readValue(target.get(BucketLayout.CONFIG_KEY), StoreConfig.class);
                config = config.withChunkSize(source.chunkSize()).withZstdLevel(source.zstdLevel())
                        .withPackTargetSize(source.packTargetSize());
            } catch (IOException e) {
                // the configuration only sets defaults for new backups; restoring does not need it
            }
        }
        return Store.init(dir, config);
    }

    /** Downloads a pack beside its final place, verifies every frame, then renames and indexes it. */
    private long fetchPack(Store store, String id, ChunkCompressor codec) throws StoreException {
        Path tmp = store.packs().tmpDir().resolve(UUID.randomUUID() + ".download");
        try {
            long size = target.download(BucketLayout.packKey(id), tmp);
            List<PackFormat.Entry> entries;
            try (PackReader r = new PackReader(id, tmp)) {
                entries = r.entries();
                FrameCheck.checkEvery(id, tmp, entries, codec);
            } catch (CorruptPackException e) {
                throw new StoreException(StoreException.Kind.CORRUPT, "pack " + id + " is damaged in the bucket, not used: "
                        + e.getMessage(), e);
            }
            Path target = store.packs().packFile(id);
            Files.createDirectories(target.getParent());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            PackDirectory.fsyncDir(target.getParent());
            store.index().addPack(id, size, entries, store.now());
            return size;
        } catch (IOException e) {
            throw StoreException.io("mirroring pack " + id, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // removed when the store is next opened
            }
        }
    }

    private static long missingChunks(Store store, Manifest m) throws StoreException {
        long missing = 0;
        for (DiskMap disk : m.disks()) {
            for (int s = 0; s < disk.slotCount(); s++) {
                Digest d = disk.digest(s);
                if (d != null && store.index().get(d).isEmpty()) {
                    missing++;
                }
            }
        }
        return missing;
    }
}
