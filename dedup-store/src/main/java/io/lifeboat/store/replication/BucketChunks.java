package io.lifeboat.store.replication;

import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.index.ChunkIndex;
import io.lifeboat.store.index.ChunkLocation;
import io.lifeboat.store.index.PackRecord;
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
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
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
 * </pre>
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
 * Concurrent reads of one chunk share one GET.
 */
public final class BucketChunks implements ChunkSource, AutoCloseable {
    /** What an index update did. */
    public record IndexUpdate(int added, int removed, List<String> damaged) {
        public IndexUpdate {
            damaged = List.copyOf(damaged);
        }
    }

    private final BucketReader bucket;
    private final Path chunksDir;
    private final long budget;
    private final ChunkIndex index;
    /** Cached chunks and their sizes, least recently read first; guarded by itself. */
    private final LinkedHashMap<Digest, Integer> lru = new LinkedHashMap<>(1024, 0.75f, true);
    private long used;
    private final Map<Digest, CompletableFuture<byte[]>> fetching = new ConcurrentHashMap<>();

    private BucketChunks(BucketReader bucket, Path dir, long budget, ChunkIndex index) {
        this.bucket = bucket;
        this.chunksDir = dir.resolve("chunks");
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
     * and forgets those it lost. A pack whose footer is damaged is left out and named. If a lost
     * pack was where the index placed some chunk (a pruned copy after a repack), every remaining
     * pack's footer is read again, so those chunks are found in the copy that is left.
     */
    public synchronized IndexUpdate refresh() throws StoreException {
        Map<String, Long> inBucket = bucket.packs();
        Map<String, PackRecord> indexed = index.packs();
        Set<String> gone = new HashSet<>(indexed.keySet());
        gone.removeAll(inBucket.keySet());
        boolean reread = false;
        if (!gone.isEmpty()) {
            List<Digest> orphans = new ArrayList<>();
            index.forEachChunk((d, loc) -> {
                if (gone.contains(loc.packId())) {
                    orphans.add(d);
                }
            });
            for (Digest d : orphans) {
                index.removeIfStale(d, Long.MAX_VALUE);
            }
            for (String id : gone) {
                index.removePack(id);
            }
            reread = !orphans.isEmpty();
        }
        List<String> damaged = new ArrayList<>();
        int added = 0;
        for (Map.Entry<String, Long> p : inBucket.entrySet()) {
            boolean known = indexed.containsKey(p.getKey());
            if (known && !reread) {
                continue;
            }
            List<PackFormat.Entry> entries;
            try {
                entries = bucket.footer(p.getKey(), p.getValue());
            } catch (StoreException e) {
                if (e.kind() != StoreException.Kind.CORRUPT) {
                    throw e;
                }
                damaged.add("pack " + p.getKey() + ": " + e.getMessage());
                continue;
            }
            index.addPack(p.getKey(), p.getValue(), entries, System.currentTimeMillis());
            if (!known) {
                added++;
            }
        }
        return new IndexUpdate(added, gone.size(), damaged);
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
    private byte[] cached(Digest d) throws StoreException {
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
            throw StoreException.io("reading cached chunk " + f, e);
        }
        if (!d.matches(b, 0, b.length)) {
            synchronized (lru) {
                Integer size = lru.remove(d);
                if (size != null) {
                    dropFile(d);
                    used -= size;
                }
            }
            return null;
        }
        try {
            Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException ignored) {
            // recency after a restart is a hint only
        }
        return b;
    }

    /** Whether some pack in the bucket, as last indexed, holds the chunk. */
    @Override
    public boolean has(Digest d) throws StoreException {
        return index.get(d).isPresent();
    }

    private byte[] fetch(Digest d) throws StoreException {
        for (int attempt = 0; ; attempt++) {
            ChunkLocation loc = index.get(d).orElseThrow(() -> new StoreException(StoreException.Kind.NOT_FOUND,
                    "chunk " + d + " is not in any pack in the bucket"));
            PackFormat.Entry entry = new PackFormat.Entry(d, loc.offset(), loc.rawLength(), loc.storedLength(), loc.codec());
            try {
                return bucket.chunk(loc.packId(), entry);
            } catch (StoreException e) {
                if (e.kind() != StoreException.Kind.NOT_FOUND || attempt > 0) {
                    throw e;
                }
                refresh(); // the pack was pruned since the index was built: find the chunk's other copy
            }
        }
    }

    /** Puts a verified chunk in the cache, evicting the least recently read ones to make room. */
    private void keep(Digest d, byte[] raw) throws StoreException {
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
            // a full or failing cache disk must not fail the read: the chunk is simply not cached
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
    private void evictUntil(long room) throws StoreException {
        var it = lru.entrySet().iterator();
        while (used + room > budget && it.hasNext()) {
            Map.Entry<Digest, Integer> eldest = it.next();
            it.remove();
            dropFile(eldest.getKey());
            used -= eldest.getValue();
        }
    }

    private void dropFile(Digest d) throws StoreException {
        try {
            Files.deleteIfExists(file(d));
        } catch (IOException e) {
            throw StoreException.io("evicting cached chunk " + d, e);
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
