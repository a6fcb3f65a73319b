package io.lifeboat.store.read;

import io.lifeboat.store.Progress;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.pack.PackDirectory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes one disk of a restore point to a sparse raw file. Zero slots are left as holes. The
 * data goes to a hidden partial file next to the target, which is fsynced and renamed only when
 * every chunk has been read and verified: a failed restore leaves no file that looks restored.
 */
public final class DiskRestorer {
    private final ChunkSource chunks;
    private final int workers;

    /** Restores from any chunk source: the local store, a bucket read through its cache, or both. */
    public DiskRestorer(ChunkSource chunks, int workers) {
        this.chunks = chunks;
        this.workers = Math.max(1, workers);
    }

    /** Digests the map needs that the source does not have (checked before anything is written). */
    public List<Digest> missingChunks(DiskMap map) throws StoreException {
        Set<Digest> missing = new LinkedHashSet<>();
        for (int s = 0; s < map.slotCount(); s++) {
            Digest d = map.digest(s);
            if (d != null && !chunks.has(d)) {
                missing.add(d);
            }
        }
        return new ArrayList<>(missing);
    }

    public void restore(DiskMap map, Path target, boolean overwrite, Progress progress) throws StoreException {
        restore(Map.of(map, target), overwrite, progress);
    }

    /**
     * Restores several disks (one restore point's): every target and every chunk is checked
     * before the first byte is written, so a refusal leaves nothing behind.
     */
    public void restore(Map<DiskMap, Path> targets, boolean overwrite, Progress progress) throws StoreException {
        for (Map.Entry<DiskMap, Path> e : targets.entrySet()) {
            check(e.getKey(), e.getValue(), overwrite);
        }
        for (Map.Entry<DiskMap, Path> e : targets.entrySet()) {
            write(e.getKey(), e.getValue(), progress);
        }
    }

    private void check(DiskMap map, Path target, boolean overwrite) throws StoreException {
        Path parent = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            throw new StoreException(StoreException.Kind.BAD_INPUT, "directory " + parent + " does not exist");
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            if (!overwrite) {
                throw new StoreException(StoreException.Kind.CONFLICT, target + " exists; pass --force to overwrite it");
            }
            if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new StoreException(StoreException.Kind.BAD_INPUT, target + " is not a regular file");
            }
        }
        List<Digest> missing = missingChunks(map);
        if (!missing.isEmpty()) {
            throw new StoreException(StoreException.Kind.NOT_FOUND, "disk " + map.name() + " needs " + missing.size()
                    + " chunk(s) the store does not have, e.g. " + missing.get(0) + "; nothing was written");
        }
    }

    private void write(DiskMap map, Path target, Progress progress) throws StoreException {
        Path parent = target.toAbsolutePath().getParent();
        Path partial = parent.resolve("." + target.getFileName() + ".lifeboat-partial");
        long total = map.size();
        progress.phase("restore " + map.name(), total);
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "restore-" + map.name());
            t.setDaemon(true);
            return t;
        });
        AtomicReference<Exception> failure = new AtomicReference<>();
        Semaphore inFlight = new Semaphore(workers * 4);
        try (RandomAccessFile file = new RandomAccessFile(partial.toFile(), "rw")) {
            // A fresh sparse file of the disk's size: slots never written stay holes.
            file.setLength(0);
            file.setLength(total);
            FileChannel out = file.getChannel();
            for (int s = 0; s < map.slotCount() && failure.get() == null; s++) {
                Digest d = map.digest(s);
                if (d == null) {
                    progress.add(map.grid().slotLength(s));
                    continue;
                }
                long off = map.grid().slotOffset(s);
                int len = map.grid().slotLength(s);
                inFlight.acquire();
                pool.execute(() -> {
                    try {
                        if (failure.get() == null) {
                            byte[] data = chunks.read(d);
                            if (data.length != len) {
                                throw new StoreException(StoreException.Kind.CORRUPT, "chunk " + d + " has "
                                        + data.length + " bytes, slot at " + off + " needs " + len);
                            }
                            ByteBuffer b = ByteBuffer.wrap(data);
                            long pos = off;
                            while (b.hasRemaining()) {
                                pos += out.write(b, pos);
                            }
                            progress.add(len);
                        }
                    } catch (Exception e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        inFlight.release();
                    }
                });
            }
            pool.shutdown();
            pool.awaitTermination(365, TimeUnit.DAYS);
            if (failure.get() == null) {
                out.force(true);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, new StoreException(StoreException.Kind.IO, "restore interrupted"));
        } catch (IOException e) {
            failure.compareAndSet(null, StoreException.io("writing " + partial, e));
        } finally {
            pool.shutdownNow();
        }
        Exception e = failure.get();
        if (e != null) {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // best effort; the name marks it as partial
            }
            if (e instanceof IOException io) {
                throw StoreException.io("writing " + partial, io);
            }
            throw (RuntimeException) e;
        }
        try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            PackDirectory.fsyncDir(parent);
        } catch (IOException ex) {
            throw StoreException.io("renaming " + partial + " to " + target, ex);
        }
    }
}
