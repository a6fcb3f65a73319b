package io.lifeboat.store.ingest;

import io.lifeboat.store.BackupSession;
import io.lifeboat.store.Progress;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.ChunkCompressor;
import io.lifeboat.store.chunk.ChunkGrid;
import io.lifeboat.store.manifest.DiskMap;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The ingest pipeline: one thread reads grid slots from the source in disk order; a pool of
 * workers (one per core) zero-checks, hashes, looks up, compresses and appends them. Memory is
 * bounded by a fixed pool of slot buffers: the reader waits for a free buffer, so a slow store
 * slows the reading instead of filling the heap.
 */
public final class Ingester {
    private final int workers;
    private final int zstdLevel;

    public Ingester(int workers, int zstdLevel) {
        this.workers = Math.max(1, workers);
        this.zstdLevel = zstdLevel;
    }

    public static Ingester forThisMachine(int zstdLevel) {
        return new Ingester(Runtime.getRuntime().availableProcessors(), zstdLevel);
    }

    /**
     * Reads an image file (raw, or qcow2 through qemu-nbd: {@link ImageFiles}) in full into a new
     * disk {@code disk} of the session: what {@code lifeboat-store backup} does for each image.
     */
    public DiskMap ingestImage(BackupSession session, String disk, Path image, Progress progress) throws StoreException {
        try (DiskSource src = ImageFiles.open(image)) {
            DiskMap map = session.newDisk(disk, src.size());
            ingest(session, map, src, src.allocated(), progress);
            return map;
        } catch (IOException e) {
            throw StoreException.io("reading " + image, e);
        }
    }

    /**
     * Reads every slot that intersects {@code extents} and stores it into {@code map}; slots
     * outside them keep what the map already holds (zero for a new map, the previous chunk for
     * an incremental one).
     */
    public void ingest(BackupSession session, DiskMap map, DiskSource source, List<Extent> extents, Progress progress)
            throws StoreException {
        ChunkGrid grid = map.grid();
        List<int[]> slotRuns = slotRuns(grid, extents);
        long total = 0;
        for (int[] r : slotRuns) {
            for (int s = r[0]; s < r[1]; s++) {
                total += grid.slotLength(s);
            }
        }
        progress.phase("backup " + map.name(), total);

        BlockingQueue<byte[]> buffers = new ArrayBlockingQueue<>(workers * 2 + 2);
        for (int i = 0; i < workers * 2 + 2; i++) {
            buffers.add(new byte[grid.chunkSize()]);
        }
        BlockingQueue<ChunkCompressor> codecs = new ArrayBlockingQueue<>(workers);
        for (int i = 0; i < workers; i++) {
            codecs.add(new ChunkCompressor(zstdLevel));
        }
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicInteger threadNo = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "ingest-" + map.name() + "-" + threadNo.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            outer:
            for (int[] run : slotRuns) {
                for (int slot = run[0]; slot < run[1]; slot++) {
                    byte[] buf = buffers.take();
                    if (failure.get() != null) {
                        break outer;
                    }
                    int len = grid.slotLength(slot);
                    try {
                        source.read(grid.slotOffset(slot), buf, len);
                    } catch (IOException e) {
                        failure.compareAndSet(null, StoreException.io("reading " + map.name() + " at offset "
                                + grid.slotOffset(slot), e));
                        break outer;
                    }
                    int s = slot;
                    pool.execute(() -> {
                        ChunkCompressor codec = codecs.poll();
                        try {
                            if (failure.get() == null) {
                                session.putChunk(map, s, buf, len, codec);
                                progress.add(len);
                            }
                        } catch (Exception e) {
                            failure.compareAndSet(null, e);
                        } finally {
                            codecs.add(codec);
                            buffers.add(buf);
                        }
                    });
                }
            }
            pool.shutdown();
            if (!pool.awaitTermination(365, TimeUnit.DAYS)) {
                throw new IllegalStateException("ingest workers did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, new StoreException(StoreException.Kind.IO, "backup interrupted"));
        } finally {
            pool.shutdownNow();
            try {
                pool.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            codecs.forEach(ChunkCompressor::close);
        }
        Exception e = failure.get();
        if (e instanceof StoreException se) {
            throw se;
        }
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e != null) {
            throw StoreException.io("backup of " + map.name(), (IOException) e);
        }
    }

    /** Half-open slot ranges {@code [first, end)} covering the extents, merged and in order. */
    static List<int[]> slotRuns(ChunkGrid grid, List<Extent> extents) {
        List<int[]> runs = new ArrayList<>();
        List<Extent> sorted = new ArrayList<>(extents);
        sorted.sort((a, b) -> Long.compare(a.offset(), b.offset()));
        for (Extent e : sorted) {
            if (e.length() == 0 || e.offset() >= grid.diskSize()) {
                continue;
            }
            int first = grid.slotAt(e.offset());
            int end = grid.slotEnd(e.offset(), Math.min(e.length(), grid.diskSize() - e.offset()));
            int[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
            if (last != null && first <= last[1]) {
                last[1] = Math.max(last[1], end);
            } else {
                runs.add(new int[] {first, end});
            }
        }
        return runs;
    }
}
