package io.lifeboat.store.index;

import io.lifeboat.store.CrashPoint;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.pack.PackFormat;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The chunk index: RocksDB on disk, so a lookup costs a bloom-filter probe and at most a block
 * read, and the heap holds only a bounded block cache however large the store grows.
 *
 * <p>Column families, version 1:
 * <ul>
 *   <li>{@code chunks}: SHA-256 (32 bytes) → {@link ChunkLocation} (57 bytes);</li>
 *   <li>{@code packs}: pack id (32 raw bytes) → {@link PackRecord} (20 bytes);</li>
 *   <li>{@code default}: {@code format} → "1".</li>
 * </ul>
 * Everything here can be rebuilt from the pack footers ({@link #addPack}); the index is a cache
 * of the packs, never the only copy of anything.
 *
 * <p>A chunk's entry is read-modify-written under one of 256 stripe locks, so a backup that
 * finds a chunk and touches it cannot interleave with a GC sweep deciding to drop it.
 */
public final class ChunkIndex implements AutoCloseable {
    public static final String FORMAT = "1";
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] FORMAT_KEY = "format".getBytes(StandardCharsets.UTF_8);

    static {
        RocksNative.load();
    }

    private final RocksDB db;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final LRUCache cache;
    private final List<ColumnFamilyHandle> handles;
    private final ColumnFamilyHandle chunks;
    private final ColumnFamilyHandle packs;
    private final WriteOptions syncWrites = new WriteOptions().setSync(true);
    private final WriteOptions plainWrites = new WriteOptions();
    private final Object[] stripes = new Object[256];

    private ChunkIndex(RocksDB db, DBOptions dbOptions, ColumnFamilyOptions cfOptions, LRUCache cache,
                       List<ColumnFamilyHandle> handles) {
        this.db = db;
        this.dbOptions = dbOptions;
        this.cfOptions = cfOptions;
        this.cache = cache;
        this.handles = handles;
        this.chunks = handles.get(1);
        this.packs = handles.get(2);
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
    }

    public static ChunkIndex open(Path dir, long blockCacheBytes) throws StoreException {
        LRUCache cache = new LRUCache(blockCacheBytes);
        ColumnFamilyOptions cfo = new ColumnFamilyOptions()
                .setTableFormatConfig(new BlockBasedTableConfig()
                        .setBlockCache(cache)
                        .setFilterPolicy(new BloomFilter(10))
                        .setCacheIndexAndFilterBlocks(true))
                .optimizeForPointLookup(blockCacheBytes >> 20);
        // A small MANIFEST preallocation: the 4 MiB default can make a store on a nearly full disk
        // impossible to open, which is exactly when a user needs to list, delete and gc.
        DBOptions dbo = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                .setMaxOpenFiles(256).setKeepLogFileNum(2).setManifestPreallocationSize(64 << 10);
        List<ColumnFamilyDescriptor> cfs = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfo),
                new ColumnFamilyDescriptor("chunks".getBytes(StandardCharsets.UTF_8), cfo),
                new ColumnFamilyDescriptor("packs".getBytes(StandardCharsets.UTF_8), cfo));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            RocksDB db = RocksDB.open(dbo, dir.toString(), cfs, handles);
            ChunkIndex index = new ChunkIndex(db, dbo, cfo, cache, handles);
            byte[] fmt = db.get(FORMAT_KEY);
            if (fmt == null) {
                db.put(index.syncWrites, FORMAT_KEY, FORMAT.getBytes(StandardCharsets.UTF_8));
            } else if (!FORMAT.equals(new String(fmt, StandardCharsets.UTF_8))) {
                index.close();
                throw new StoreException(StoreException.Kind.FORMAT, "index at " + dir + " has format "
                        + new String(fmt, StandardCharsets.UTF_8) + ", this Lifeboat reads " + FORMAT);
            }
            return index;
        } catch (RocksDBException e) {
            handles.forEach(ColumnFamilyHandle::close);
            cfo.close();
            dbo.close();
            cache.close();
            throw rocks("opening index at " + dir, e);
        }
    }

    public Optional<ChunkLocation> get(Digest d) throws StoreException {
        try {
            byte[] v = db.get(chunks, d.toBytes());
            return v == null ? Optional.empty() : Optional.of(ChunkLocation.decode(v));
        } catch (RocksDBException e) {
            throw rocks("index lookup", e);
        }
    }

    /**
     * Looks a chunk up and, if present, records that a backup started at {@code sessionStart}
     * references it (unless an earlier touch already covers that).
     */
    public Optional<ChunkLocation> lookupAndTouch(Digest d, long sessionStart, long now) throws StoreException {
        byte[] key = d.toBytes();
        synchronized (stripe(key)) {
            try {
                byte[] v = db.get(chunks, key);
                if (v == null) {
                    return Optional.empty();
                }
                ChunkLocation loc = ChunkLocation.decode(v);
                if (loc.touched() < sessionStart) {
                    loc = loc.touchedAt(now);
                    db.put(chunks, plainWrites, key, loc.encode());
                }
                return Optional.of(loc);
            } catch (RocksDBException e) {
                throw rocks("index lookup", e);
            }
        }
    }

    /** GC mark: records that a restore point references the chunk. Returns false if it is not indexed. */
    public boolean mark(Digest d, long when) throws StoreException {
        byte[] key = d.toBytes();
        synchronized (stripe(key)) {
            try {
                byte[] v = db.get(chunks, key);
                if (v == null) {
                    return false;
                }
                ChunkLocation loc = ChunkLocation.decode(v);
                if (loc.touched() < when) {
                    db.put(chunks, plainWrites, key, loc.touchedAt(when).encode());
                }
                return true;
            } catch (RocksDBException e) {
                throw rocks("index mark", e);
            }
        }
    }

    /** GC sweep: removes the entry if it still has not been touched since {@code cutoff}. */
    public boolean removeIfStale(Digest d, long cutoff) throws StoreException {
        byte[] key = d.toBytes();
        synchronized (stripe(key)) {
            try {
                byte[] v = db.get(chunks, key);
                if (v == null || ChunkLocation.decode(v).touched() >= cutoff) {
                    return false;
                }
                db.delete(chunks, plainWrites, key);
                return true;
            } catch (RocksDBException e) {
                throw rocks("index sweep", e);
            }
        }
    }

    /**
     * Indexes a durable pack: every chunk not indexed yet points into it (a chunk indexed
     * elsewhere keeps its entry), then the pack record is written. Both
     * writes are fsynced; the pack record comes last, so a pack whose record exists is fully indexed.
     */
    public void addPack(String packId, long size, List<PackFormat.Entry> entries, long now)
            throws StoreException {
        try (WriteBatch batch = new WriteBatch()) {
            for (PackFormat.Entry e : entries) {
                byte[] key = e.digest().toBytes();
                synchronized (stripe(key)) {
                    if (db.get(chunks, key) == null) {
                        batch.put(chunks, key, new ChunkLocation(packId, e.offset(), e.rawLength(),
                                e.storedLength(), e.codec(), now).encode());
                    }
                }
            }
            db.write(syncWrites, batch);
            CrashPoint.reach("index.before-pack-record");
            db.put(packs, syncWrites, HEX.parseHex(packId), new PackRecord(packId, size, entries.size(), now).encode());
        } catch (RocksDBException e) {
            throw rocks("indexing pack " + packId, e);
        }
    }

    /** Points a chunk at a new copy, if it still points at {@code fromPack} (repack). */
    public void relocate(PackFormat.Entry e, String fromPack, String toPack) throws StoreException {
        byte[] key = e.digest().toBytes();
        synchronized (stripe(key)) {
            try {
                byte[] v = db.get(chunks, key);
                if (v == null) {
                    return;
                }
                ChunkLocation old = ChunkLocation.decode(v);
                if (!old.packId().equals(fromPack)) {
                    return;
                }
                db.put(chunks, syncWrites, key, new ChunkLocation(toPack, e.offset(), e.rawLength(),
                        e.storedLength(), e.codec(), old.touched()).encode());
            } catch (RocksDBException ex) {
                throw rocks("relocating chunk " + e.digest(), ex);
            }
        }
    }

    public Optional<PackRecord> pack(String id) throws StoreException {
        try {
            byte[] v = db.get(packs, HEX.parseHex(id));
            return v == null ? Optional.empty() : Optional.of(PackRecord.decode(id, v));
        } catch (RocksDBException e) {
            throw rocks("pack lookup", e);
        }
    }

    public Map<String, PackRecord> packs() {
        Map<String, PackRecord> out = new LinkedHashMap<>();
        try (RocksIterator it = db.newIterator(packs)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                String id = HEX.formatHex(it.key());
                out.put(id, PackRecord.decode(id, it.value()));
            }
        }
        return out;
    }

    public void removePack(String id) throws StoreException {
        try {
            db.delete(packs, syncWrites, HEX.parseHex(id));
        } catch (RocksDBException e) {
            throw rocks("removing pack " + id, e);
        }
    }

    /** Visits every chunk entry in digest order; the visitor must not write to the index. */
    public void forEachChunk(java.util.function.BiConsumer<Digest, ChunkLocation> visitor) {
        try (RocksIterator it = db.newIterator(chunks)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                visitor.accept(Digest.wrap(it.key()), ChunkLocation.decode(it.value()));
            }
        }
    }

    /** Makes all plain (non-fsynced) writes so far durable. */
    public void sync() throws StoreException {
        try {
            db.flushWal(true);
        } catch (RocksDBException e) {
            throw rocks("syncing index", e);
        }
    }

    private Object stripe(byte[] key) {
        return stripes[key[0] & 0xff];
    }

    private static StoreException rocks(String doing, RocksDBException e) {
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("No space left") || msg.contains("NoSpace")) {
            return new StoreException(StoreException.Kind.NO_SPACE, doing + ": no space left on device (" + msg + ")", e);
        }
        return new StoreException(StoreException.Kind.IO, doing + ": " + msg, e);
    }

    @Override
    public void close() {
        handles.forEach(ColumnFamilyHandle::close);
        db.close();
        syncWrites.close();
        plainWrites.close();
        cfOptions.close();
        dbOptions.close();
        cache.close();
    }

}
