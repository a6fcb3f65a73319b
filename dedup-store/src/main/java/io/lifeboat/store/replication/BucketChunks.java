package io.lifeboat.store.replication;

import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.index.ChunkIndex;
import io.lifeboat.store.index.ChunkLocation;
import io.lifeboat.store.index.PackRecord;
import io.lifeboat.store.pack.PackDirectory;
import io.lifeboat.store.pack.PackFormat;
import io.lifeboat.store.read.ChunkSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Chunks read lazily from a bucket, for a recovery site that has only the bucket: it indexes the
 * packs from their footers (one ranged GET per pack, only packs not indexed yet on a later run),
 * then serves each chunk with one ranged GET of its frame, through an on-disk cache bounded in
 * bytes. With {@link io.lifeboat.store.read.DiskReader} on top, an NBD export serves a restore
 * point straight from the bucket.
 *
 * <p>Cache directory, version 1:
 * <pre>
 * &lt;dir&gt;/index/                 RocksDB ({@link ChunkIndex}, its usual format): chunk → pack in the
 *                               bucket, offset, lengths, codec; one record per pack indexed
 * &lt;dir&gt;/chunks/xx/&lt;digest&gt;      one chunk's raw bytes, exactly; xx = first two hex digits
 * &lt;dir&gt;/chunks/.tmp/&lt;uuid&gt;      a chunk being written; emptied on open
 * &lt;dir&gt;/reread-footers          empty; while it exists, the index may lack chunks of packs it has a
 *                               record of, and the next refresh reads every pack's footer again
 * </pre>
 * When a pack is gone from the bucket, the marker is written (and its directory fsynced) before
 * the index forgets the chunks it placed there, and deleted only after every remaining footer was
 * read again: a crash or failure in between is made good by the next refresh or open.
 *
 * A chunk file is written to {@code .tmp/} and renamed into place, and it enters the cache only
 * after the frame it came from passed every check (CRC32C, decompression, SHA-256): a damaged
 * object in the bucket is reported (CORRUPT, naming chunk and pack) and never cached or returned.
 * A cached file is checked against its SHA-256 again on every read; one damaged on disk (a torn
 * write after a power cut: files are not fsynced) is dropped and fetched again.
 *
 * <p>The budget bounds the bytes of chunk files, temporary ones included (a chunk's room is
 * reserved before its file is written); the least recently read chunks are evicted first, and
 * recency survives a restart through the files' modification times. File system block rounding
 * and the index are not counted. A chunk larger than the whole budget is returned uncached.
 * Concurrent reads of one chunk share one GET. A read or {@link #has} that misses the index while a
 * refresh runs waits for it and looks again, so a chunk being re-indexed is not reported missing.
 * Failing to write or evict a cache file is logged and never fails a read.
 */
public final class BucketChunks implements ChunkSource, AutoCloseable {
    /** What an index update did. */
    public record IndexUpdate(int added, int removed, List<String> damaged) {
        public IndexUpdate {
            damaged = List.copyOf(damaged);
        }
    }

    private static final System.Logger LOG = System.getLogger(BucketChunks.class.getName());

    private final BucketReader bucket;
    private final Path chunksDir;
    private final Path rereadMarker;
    /** Held by a refresh; a reader that misses the index takes it to wait for a running one. */
    private final ReentrantLock refreshing = new ReentrantLock();
    private final long budget;
    private final ChunkIndex index;
    /** Cached chunks and their sizes, least recently read first; guarded by itself. */
    private final LinkedHashMap<Digest, Integer> lru = new LinkedHashMap<>(1024, 0.75f, true);
    private long used;
    private final Map<Digest, CompletableFuture<byte[]>> fetching = new ConcurrentHashMap<>();

    private BucketChunks(BucketReader bucket, Path dir, long budget, ChunkIndex index) {
        this.bucket = bucket;
        this.chunksDir = dir.resolve("chunks");
        this.rereadMarker = dir.resolve("reread-footers");
        this.budget = budget;
        this.index = index;
    }

    /**
     * Opens (or creates) the cache in {@code dir}, keeping what it holds within {@code budgetBytes},
     * and brings its index up to date with the bucket ({@link #refresh}).
     */
    public static BucketChunks open(BucketReader bucket, Path dir, long budgetBytes) throws StoreException {
        if (budgetBytes < 0) {
            throw new StoreException(StoreException.Kind.BAD_INPUT, "cache budget must not be negative, got " + budgetBytes);
        }
        try {
            Files.createDirectories(dir.resolve("chunks").resolve(".tmp"));
        } catch (IOException e) {
            throw StoreException.io("creating cache directory " + dir, e);
        }
        ChunkIndex index = ChunkIndex.open(dir.resolve("index"), 16L << 20);
        BucketChunks c = new BucketChunks(bucket, dir, budgetBytes, index);
        try {
            c.loadCache();
            c.refresh();
            return c;
        } catch (StoreException | RuntimeException e) {
            index.close();
            throw e;
        }
    }

    /** Lists what the cache directory holds, oldest read first, and evicts down to the budget. */
    private void loadCache() throws StoreException {
        record Cached(Digest digest, int size, long mtime) {
        }
        List<Cached> found = new ArrayList<>();
        try {
            try (Stream<Path> tmp = Files.list(chunksDir.resolve(".tmp"))) {
                for (Path p : tmp.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            try (Stream<Path> fans = Files.list(chunksDir)) {
                for (Path fan : fans.filter(p -> p.getFileName().toString().length() == 2).toList()) {
                    try (Stream<Path> files = Files.list(fan)) {
                        for (Path f : files.toList()) {
                            Digest d = digestOf(f.getFileName().toString());
                            if (d == null || !fan.getFileName().toString().equals(d.hex().substring(0, 2))) {
                                Files.deleteIfExists(f); // not ours, and it would use room the budget does not count
                                continue;
                            }
                            found.add(new Cached(d, (int) Files.size(f), Files.getLastModifiedTime(f).toMillis()));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw StoreException.io("reading cache directory " + chunksDir, e);
        }
        found.sort(java.util.Comparator.comparingLong(Cached::mtime));
        synchronized (lru) {
            for (Cached c : found) {
                lru.put(c.digest(), c.size());
                used += c.size();
            }
            evictUntil(0);
        }
    }

    private static Digest digestOf(String name) {
        try {
            return name.length() == 2 * Digest.LENGTH ? Digest.parse(name) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Indexes the packs the bucket gained since the last time (one ranged GET of each one's tail)
     * and forgets those it lost. A pack whose footer is damaged, or whose object is too short to be
     * a pack, is left out and named; one deleted between the listing and the read of its footer is
     * skipped (forgotten, if it was indexed). If a lost pack was where the index placed some chunk
     * (a pruned copy after a repack), every remaining pack's footer is read again, so those chunks
     * are found in the copy that is left; until that re-read completes, a marker on disk makes every
     * later refresh do it (see the class comment). Any other failure to read a footer (the bucket
     * unreachable after retries) ends the refresh with that error and loses nothing.
     */
    public IndexUpdate refresh() throws StoreException {
        refreshing.lock();
        try {
            Set<String> vanished = new HashSet<>(); // listed, but gone when its footer was read
            Map<String, String> damaged = new TreeMap<>();
            int added = 0;
            int removed = 0;
            while (true) {
                Map<String, Long> inBucket = new TreeMap<>(bucket.packs());
                inBucket.keySet().removeAll(vanished);
                Map<String, PackRecord> indexed = index.packs();
                Set<String> gone = new HashSet<>(indexed.keySet());
                gone.removeAll(inBucket.keySet());
                forget(gone);
                removed += gone.size();
                boolean reread = Files.exists(rereadMarker);
                boolean indexedVanished = false;
                for (Map.Entry<String, Long> p : inBucket.entrySet()) {
                    String id = p.getKey();
                    boolean known = indexed.containsKey(id);
                    if (known && !reread) {
                        continue;
                    }
                    List<PackFormat.Entry> entries;
                    try {
                        entries = footer(id, p.getValue());
                    } catch (StoreException e) {
                        if (e.kind() == StoreException.Kind.NOT_FOUND) {
                            vanished.add(id);
                            damaged.remove(id);
                            indexedVanished |= known;
                            continue;
                        }
                        if (e.kind() != StoreException.Kind.CORRUPT) {
                            throw e;
                        }
                        damaged.put(id, "pack " + id + ": " + e.getMessage());
                        continue;
                    }
                    damaged.remove(id);
                    index.addPack(id, p.getValue(), entries, System.currentTimeMillis());
                    if (!known) {
                        added++;
                    }
                }
                if (!indexedVanished) {
                    break;
                }
                // an indexed pack went while its footer was read again: forget it, and look for its
                // chunks' other copies in the packs this pass has already read
            }
            deleteRereadMarker();
            return new IndexUpdate(added, removed, List.copyOf(damaged.values()));
        } finally {
            refreshing.unlock();
        }
    }

    /** The pack's footer; CORRUPT also for an object too short to be a pack (a suffix range of 0 bytes is refused). */
    private List<PackFormat.Entry> footer(String packId, long size) throws StoreException {
        if (size < PackFormat.HEADER_SIZE + PackFormat.TRAILER_SIZE) {
            throw new StoreException(StoreException.Kind.CORRUPT, "object of " + size + " bytes is too short to be a pack");
        }
        return bucket.footer(packId, size);
    }

    /**
     * Forgets packs gone from the bucket and the chunks the index placed in them. The re-read
     * marker is made durable first: once an entry is gone, only a complete re-read of the
     * remaining footers can find the chunk's other copy.
     */
    private void forget(Set<String> gone) throws StoreException {
        if (gone.isEmpty()) {
            return;
        }
        List<Digest> orphans = new ArrayList<>();
        index.forEachChunk((d, loc) -> {
            if (gone.contains(loc.packId())) {
                orphans.add(d);
            }
        });
        if (!orphans.isEmpty()) {
            createRereadMarker();
        }
        for (Digest d : orphans) {
            index.removeIfStale(d, Long.MAX_VALUE);
        }
        for (String id : gone) {
            index.removePack(id);
        }
    }

    private void createRereadMarker() throws StoreException {
        try {
            if (!Files.exists(rereadMarker)) {
                Files.write(rereadMarker, new byte[0]);
                PackDirectory.fsyncDir(rereadMarker.getParent());
            }
        } catch (IOException e) {
            throw StoreException.io("writing " + rereadMarker, e);
        }
    }

    private void deleteRereadMarker() throws StoreException {
        try {
            // not fsynced: if the deletion is lost, the next refresh only reads the footers once more
            Files.deleteIfExists(rereadMarker);
        } catch (IOException e) {
            throw StoreException.io("deleting " + rereadMarker, e);
        }
    }

    /** Returns once no refresh runs (at once if none does). */
    private void awaitRefresh() {
        refreshing.lock();
        refreshing.unlock();
    }

    /** The chunk's place as indexed, waiting for a running refresh before calling it missing. */
    private Optional<ChunkLocation> locate(Digest d) throws StoreException {
        Optional<ChunkLocation> loc = index.get(d);
        if (loc.isPresent()) {
            return loc;
        }
        awaitRefresh();
        return index.get(d);
    }

    @Override
    public byte[] read(Digest d) throws StoreException {
        byte[] cached = cached(d);
        if (cached != null) {
            return cached;
        }
        CompletableFuture<byte[]> mine = new CompletableFuture<>();
        CompletableFuture<byte[]> other = fetching.putIfAbsent(d, mine);
        if (other != null) {
            return awaitFetch(d, other).clone();
        }
        try {
            byte[] raw = fetch(d);
            keep(d, raw);
            mine.complete(raw);
            return raw.clone();
        } catch (StoreException | RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            fetching.remove(d, mine);
        }
    }

    private static byte[] awaitFetch(Digest d, CompletableFuture<byte[]> f) throws StoreException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(StoreException.Kind.IO, "interrupted while reading chunk " + d);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StoreException se) {
                throw se;
            }
            throw new IllegalStateException("reading chunk " + d, e.getCause());
        }
    }

    /** The chunk from the cache, checked; null if it is not there (or was damaged, and is now dropped). */
    private byte[] cached(Digest d) {
        synchronized (lru) {
            if (lru.get(d) == null) {
                return null;
            }
        }
        Path f = file(d);
        byte[] b;
        try {
            b = Files.readAllBytes(f);
        } catch (NoSuchFileException evicted) {
            return null;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read cached chunk " + f + ", fetching it again: " + e);
            uncache(d);
            return null;
        }
        if (!d.matches(b, 0, b.length)) {
            uncache(d);
            return null;
        }
        try {
            Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException ignored) {
            // recency after a restart is a hint only
        }
        return b;
    }

    private void uncache(Digest d) {
        synchronized (lru) {
            Integer size = lru.remove(d);
            if (size != null) {
                try {
                    dropFile(d);
                } finally {
                    used -= size;
                }
            }
        }
    }

    /** Whether some pack in the bucket, as last indexed (or being indexed now), holds the chunk. */
    @Override
    public boolean has(Digest d) throws StoreException {
        return locate(d).isPresent();
    }

    private byte[] fetch(Digest d) throws StoreException {
        ChunkLocation loc = locate(d).orElseThrow(() -> notInBucket(d));
        try {
            return bucket.chunk(loc.packId(), entry(d, loc));
        } catch (StoreException e) {
            if (e.kind() != StoreException.Kind.NOT_FOUND) {
                throw e;
            }
        }
        // the pack was pruned since the index was built: find the chunk's other copy, with a
        // refresh of our own unless one that ran meanwhile has already moved the chunk
        refreshing.lock();
        try {
            if (index.get(d).filter(now -> now.packId().equals(loc.packId())).isPresent()) {
                refresh();
            }
        } finally {
            refreshing.unlock();
        }
        ChunkLocation moved = index.get(d).orElseThrow(() -> notInBucket(d));
        return bucket.chunk(moved.packId(), entry(d, moved));
    }

    private static PackFormat.Entry entry(Digest d, ChunkLocation loc) {
        return new PackFormat.Entry(d, loc.offset(), loc.rawLength(), loc.storedLength(), loc.codec());
    }

    private static StoreException notInBucket(Digest d) {
        return new StoreException(StoreException.Kind.NOT_FOUND, "chunk " + d + " is not in any pack in the bucket");
    }

    /**
     * Puts a verified chunk in the cache, evicting the least recently read ones to make room. A
     * full or failing cache disk must not fail the read: the chunk is then simply not cached.
     */
    private void keep(Digest d, byte[] raw) {
        synchronized (lru) {
            if (raw.length > budget || lru.containsKey(d)) {
                return;
            }
            evictUntil(raw.length);
            used += raw.length; // reserved before the file exists, so disk use never passes the budget
        }
        Path tmp = chunksDir.resolve(".tmp").resolve(UUID.randomUUID().toString());
        Path f = file(d);
        try {
            Files.write(tmp, raw);
            Files.createDirectories(f.getParent());
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            synchronized (lru) {
                lru.put(d, raw.length);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "not caching chunk " + d + " in " + chunksDir + ": " + e);
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // emptied on the next open
            }
            synchronized (lru) {
                used -= raw.length;
            }
        }
    }

    /** Evicts until {@code room} more bytes fit in the budget. Holds the lru lock. */
    private void evictUntil(long room) {
        var it = lru.entrySet().iterator();
        while (used + room > budget && it.hasNext()) {
            Map.Entry<Digest, Integer> eldest = it.next();
            it.remove();
            try {
                dropFile(eldest.getKey());
            } finally {
                used -= eldest.getValue();
            }
        }
    }

    /**
     * Deletes a cached chunk's file. A file that cannot be deleted is logged and left: the entry is
     * gone, so the file is never read, and the next open counts it again (and retries evicting it).
     */
    private void dropFile(Digest d) {
        Path f = file(d);
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot evict cached chunk " + f + ": " + e);
        }
    }

    private Path file(Digest d) {
        String hex = d.hex();
        return chunksDir.resolve(hex.substring(0, 2)).resolve(hex);
    }

    /** Bytes of chunk files the cache holds (at most the budget). */
    public long cachedBytes() {
        synchronized (lru) {
            return used;
        }
    }

    public long budget() {
        return budget;
    }

    @Override
    public void close() {
        index.close();
    }
}
