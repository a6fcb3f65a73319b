package io.lifeboat.store;

import io.lifeboat.store.chunk.ChunkCompressor;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.pack.PackWriter.OpenPack;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One backup in progress: chunks go into the store as they are read, the disk maps fill up,
 * and {@link #commit} makes the restore point visible once every chunk it names is durable.
 * Thread-safe: the ingest pipeline's workers call {@link #putChunk} concurrently.
 */
public final class BackupSession implements AutoCloseable {
    private final Store store;
    private final String vm;
    private final long startedAt;
    private final Map<String, DiskMap> disks = new LinkedHashMap<>();
    private final Set<OpenPack> dependsOn = ConcurrentHashMap.newKeySet();
    private final Stats stats = new Stats();
    private volatile boolean ended;

    BackupSession(Store store, String vm, long startedAt) {
        this.store = store;
        this.vm = vm;
        this.startedAt = startedAt;
    }

    public String vm() {
        return vm;
    }

    public long startedAt() {
        return startedAt;
    }

    public Stats stats() {
        return stats;
    }

    /** A new, all-zero map for a disk that is read in full. */
    public synchronized DiskMap newDisk(String name, long size) {
        return addDisk(new DiskMap(name, size, store.config().chunkSize()));
    }

    /**
     * A map for an incremental backup: starts as a copy of the previous restore point's map, and
     * only the changed slots are replaced. The disk's size and chunk size must not have changed.
     */
    public synchronized DiskMap incrementalDisk(DiskMap previous, long size) throws StoreException {
        if (previous.size() != size) {
            throw new StoreException(StoreException.Kind.BAD_INPUT, "disk " + previous.name() + " changed size from "
                    + previous.size() + " to " + size + " bytes; take a full backup");
        }
        return addDisk(previous.copy());
    }

    private DiskMap addDisk(DiskMap map) {
        Manifest.validateDiskName(map.name());
        if (disks.putIfAbsent(map.name(), map) != null) {
            throw new IllegalArgumentException("disk " + map.name() + " added twice");
        }
        return map;
    }

    /**
     * Stores one slot's data: zero check, SHA-256, dedup against the index and the open pack,
     * compression, append. {@code data[0, len)} may be reused by the caller afterwards.
     */
    public void putChunk(DiskMap map, int slot, byte[] data, int len, ChunkCompressor codec) throws StoreException {
        checkOpen();
        if (len != map.grid().slotLength(slot)) {
            throw new IllegalArgumentException("slot " + slot + " is " + map.grid().slotLength(slot) + " bytes, got " + len);
        }
        stats.bytesRead.addAndGet(len);
        if (isZero(data, len)) {
            map.setZero(slot);
            stats.zeroChunks.incrementAndGet();
            return;
        }
        Digest d = Digest.of(data, 0, len);
        map.set(slot, d);
        if (alreadyStored(d)) {
            stats.dedupChunks.incrementAndGet();
            return;
        }
        ChunkCompressor.Encoded enc = codec.encode(data, len);
        // Two workers (or two backups) meeting the same new chunk at once: the second waits here,
        // then finds the first one's copy instead of writing its own.
        synchronized (store.dedupLock(d)) {
            if (alreadyStored(d)) {
                stats.dedupChunks.incrementAndGet();
                return;
            }
            dependsOn.add(store.writer().append(d, enc.codec(), len, enc.bytes(), enc.length()));
        }
        stats.newChunks.incrementAndGet();
        stats.newRawBytes.addAndGet(len);
        stats.newStoredBytes.addAndGet(enc.length());
    }

    /** In the open pack (then this session waits for it to be sealed) or in the index (then it is touched). */
    private boolean alreadyStored(Digest d) throws StoreException {
        OpenPack inFlight = store.writer().inFlight(d).orElse(null);
        if (inFlight != null && inFlight.state() != OpenPack.State.FAILED) {
            dependsOn.add(inFlight);
            return true;
        }
        return store.index().lookupAndTouch(d, startedAt, store.now()).isPresent();
    }

    private static final byte[] ZEROS = new byte[64 << 10];

    static boolean isZero(byte[] data, int len) {
        for (int off = 0; off < len; off += ZEROS.length) {
            int n = Math.min(ZEROS.length, len - off);
            if (java.util.Arrays.mismatch(data, off, off + n, ZEROS, 0, n) >= 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Seals the packs this backup wrote to, then writes the manifest: the restore point exists
     * from here on. Fails, writing nothing, if any pack it depends on could not be sealed.
     */
    public Manifest commit(Manifest.Kind kind, Manifest.Consistency consistency, String parent,
                           String domainXml, Map<String, String> attributes) throws StoreException {
        checkOpen();
        try {
            for (OpenPack p : dependsOn) {
                try {
                    store.writer().flush(p);
                } catch (StoreException e) {
                    throw new StoreException(e.kind(), e.getMessage() + "; no restore point was created", e);
                }
            }
            List<DiskMap> maps;
            synchronized (this) {
                maps = new ArrayList<>(disks.values());
            }
            // Two backups of one VM committing in the same millisecond must not pick the same id.
            synchronized (store.manifests()) {
                Instant t = Instant.ofEpochMilli(store.now());
                RestorePointId id = new RestorePointId(vm, t);
                while (store.manifests().exists(id)) {
                    t = t.plusMillis(1);
                    id = new RestorePointId(vm, t);
                }
                Manifest m = new Manifest(id, t, kind, consistency, parent, domainXml, attributes, maps);
                store.manifests().commit(m);
                return m;
            }
        } finally {
            end();
        }
    }

    /** Ends the session without a restore point; chunks already sealed stay for GC to judge. */
    public void abort() {
        end();
    }

    private void end() {
        if (!ended) {
            ended = true;
            store.sessionEnded(this);
        }
    }

    private void checkOpen() {
        if (ended) {
            throw new IllegalStateException("backup session of " + vm + " has ended");
        }
    }

    @Override
    public void close() {
        abort();
    }

    /** Counters of what the session did; read by progress reports and the restore point's statistics. */
    public static final class Stats {
        public final AtomicLong bytesRead = new AtomicLong();
        public final AtomicLong zeroChunks = new AtomicLong();
        public final AtomicLong dedupChunks = new AtomicLong();
        public final AtomicLong newChunks = new AtomicLong();
        public final AtomicLong newRawBytes = new AtomicLong();
        public final AtomicLong newStoredBytes = new AtomicLong();
    }
}
