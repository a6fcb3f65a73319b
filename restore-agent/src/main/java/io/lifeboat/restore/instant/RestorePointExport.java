package io.lifeboat.restore.instant;

import io.lifeboat.nbd.Extent;
import io.lifeboat.nbd.NbdExport;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.ChunkGrid;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.read.ChunkSource;
import io.lifeboat.store.read.DiskReader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * One disk of a restore point as a read-only NBD export. Reads are assembled from the chunks
 * through a {@link DiskReader} over any {@link ChunkSource}: the local store, or a bucket read
 * lazily through its on-disk cache. Block status comes from the disk map alone (an all-zero slot
 * is a hole that reads as zeroes), so {@code qemu-img map} and QEMU's copy jobs skip holes without
 * fetching anything.
 *
 * <p>Read-ahead: after a read, the chunks of the next {@code readAhead} data slots are fetched in
 * the background, so a client reading sequentially (a block copy, a guest booting) finds them in
 * the source's cache. Only worth it for a remote source; 0 turns it off.
 */
public final class RestorePointExport implements NbdExport {
    private final String name;
    private final DiskMap map;
    private final DiskReader reader;
    private final ChunkSource source;
    private final int readAhead;
    private final ExecutorService readAheadThreads;
    private final Set<Integer> inFlight = ConcurrentHashMap.newKeySet();

    /**
     * @param readAheadThreads where read-ahead fetches run; null when {@code readAhead} is 0
     */
    public RestorePointExport(String name, DiskMap map, ChunkSource source, int cacheChunks, int readAhead,
                              ExecutorService readAheadThreads) {
        if (readAhead > 0 && readAheadThreads == null) {
            throw new IllegalArgumentException("read-ahead needs threads to run on");
        }
        this.name = name;
        this.map = map;
        this.source = source;
        this.reader = new DiskReader(map, source, cacheChunks);
        this.readAhead = readAhead;
        this.readAheadThreads = readAheadThreads;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return "Lifeboat restore point disk " + map.name();
    }

    @Override
    public long size() {
        return map.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        int length = dst.remaining();
        byte[] buf = new byte[length];
        try {
            reader.read(offset, buf, 0, length);
        } catch (StoreException e) {
            throw new IOException("reading " + length + " bytes at " + offset + " of disk " + map.name() + ": " + e.getMessage(), e);
        }
        dst.put(buf);
        if (readAhead > 0 && length > 0) {
            scheduleReadAhead(map.grid().slotAt(offset + length - 1) + 1);
        }
    }

    private void scheduleReadAhead(int fromSlot) {
        int scheduled = 0;
        for (int slot = fromSlot; slot < map.slotCount() && scheduled < readAhead; slot++) {
            Digest d = map.digest(slot);
            if (d == null) {
                continue;
            }
            scheduled++;
            int s = slot;
            if (inFlight.add(s)) {
                try {
                    readAheadThreads.execute(() -> {
                        try {
                            source.read(d);
                        } catch (StoreException ignored) {
                            // the read that needs this chunk will fetch it again and report the error
                        } finally {
                            inFlight.remove(s);
                        }
                    });
                } catch (RejectedExecutionException shuttingDown) {
                    inFlight.remove(s);
                    return;
                }
            }
        }
    }

    @Override
    public List<Extent> allocation(long offset, long length) {
        ChunkGrid grid = map.grid();
        List<Extent> extents = new ArrayList<>();
        long end = offset + length;
        long pos = offset;
        while (pos < end) {
            int slot = grid.slotAt(pos);
            boolean zero = map.digest(slot) == null;
            long runEnd = grid.slotOffset(slot) + grid.slotLength(slot);
            // extend over following slots of the same kind
            while (runEnd < end && (map.digest(grid.slotAt(runEnd)) == null) == zero) {
                int next = grid.slotAt(runEnd);
                runEnd = grid.slotOffset(next) + grid.slotLength(next);
            }
            long stop = Math.min(runEnd, end);
            extents.add(new Extent(pos, stop - pos, zero ? Extent.NBD_STATE_HOLE | Extent.NBD_STATE_ZERO : 0));
            pos = stop;
        }
        return extents;
    }
}
