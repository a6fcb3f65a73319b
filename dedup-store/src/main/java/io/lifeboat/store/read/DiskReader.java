package io.lifeboat.store.read;

import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.ChunkGrid;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.manifest.DiskMap;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Random access to one disk of a restore point, for an NBD export: {@code read(offset, length)}
 * assembles the bytes from the chunks that cover the range, with a small cache of decoded
 * chunks so that sequential small reads do not decode the same chunk again. The chunks come from
 * any {@link ChunkSource}: the local store, the bucket, or the local store backed by the bucket.
 */
public final class DiskReader {
    private final DiskMap map;
    private final ChunkSource chunks;
    private final int cacheChunks;
    private final Map<Integer, byte[]> cache;

    public DiskReader(DiskMap map, ChunkSource chunks, int cacheChunks) {
        this.map = map;
        this.chunks = chunks;
        this.cacheChunks = Math.max(1, cacheChunks);
        this.cache = new LinkedHashMap<>(16, 0.75f, true);
    }

    public long size() {
        return map.size();
    }

    public void read(long offset, byte[] dst, int dstOff, int length) throws StoreException {
        if (offset < 0 || length < 0 || offset + length > map.size()) {
            throw new StoreException(StoreException.Kind.BAD_INPUT, "read of " + length + " bytes at " + offset
                    + " is outside disk " + map.name() + " of " + map.size() + " bytes");
        }
        ChunkGrid grid = map.grid();
        long pos = offset;
        int done = 0;
        while (done < length) {
            int slot = grid.slotAt(pos);
            int inSlot = (int) (pos - grid.slotOffset(slot));
            int n = Math.min(length - done, grid.slotLength(slot) - inSlot);
            Digest d = map.digest(slot);
            if (d == null) {
                Arrays.fill(dst, dstOff + done, dstOff + done + n, (byte) 0);
            } else {
                System.arraycopy(chunk(slot, d), inSlot, dst, dstOff + done, n);
            }
            done += n;
            pos += n;
        }
    }

    private byte[] chunk(int slot, Digest d) throws StoreException {
        synchronized (cache) {
            byte[] c = cache.get(slot);
            if (c != null) {
                return c;
            }
        }
        byte[] c = chunks.read(d);
        int need = map.grid().slotLength(slot);
        if (c.length != need) {
            // a verified chunk of the wrong size means the manifest and the store disagree: serving
            // part of it, or failing mid-copy, would hand the guest wrong bytes
            throw new StoreException(StoreException.Kind.CORRUPT, "chunk " + d + " has " + c.length + " bytes, slot at "
                    + map.grid().slotOffset(slot) + " of disk " + map.name() + " needs " + need);
        }
        synchronized (cache) {
            cache.put(slot, c);
            if (cache.size() > cacheChunks) {
                var it = cache.entrySet().iterator();
                it.next();
                it.remove();
            }
        }
        return c;
    }
}
