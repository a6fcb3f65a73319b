package io.lifeboat.store.read;

import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.ChunkCompressor;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.index.ChunkIndex;
import io.lifeboat.store.index.ChunkLocation;
import io.lifeboat.store.pack.CorruptPackException;
import io.lifeboat.store.pack.PackDirectory;
import io.lifeboat.store.pack.PackReader;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads chunks by digest: index lookup, pack frame read, CRC32C check, decompression, SHA-256
 * check. A chunk that fails any check is never returned: the caller gets a
 * {@link StoreException} of kind CORRUPT naming the chunk and its pack.
 */
public final class ChunkReader implements ChunkSource, AutoCloseable {
    private static final int OPEN_PACKS = 64;

    private final ChunkIndex index;
    private final PackDirectory packs;
    private final ThreadLocal<ChunkCompressor> codecs = ThreadLocal.withInitial(() -> new ChunkCompressor(1));
    private final Map<String, PackReader> open = new LinkedHashMap<>(16, 0.75f, true);

    public ChunkReader(ChunkIndex index, PackDirectory packs) {
        this.index = index;
        this.packs = packs;
    }

    /** The chunk's raw bytes in a new array of its raw length. */
    @Override
    public byte[] read(Digest d) throws StoreException {
        byte[] out = null;
        for (int attempt = 0; ; attempt++) {
            ChunkLocation loc = index.get(d).orElseThrow(() -> missing(d));
            if (out == null || out.length != loc.rawLength()) {
                out = new byte[loc.rawLength()];
            }
            try {
                readInto(d, loc, out);
                return out;
            } catch (NoSuchFileException | ClosedChannelException e) {
                // GC may have moved the chunk to a new pack between lookup and read, or another
                // thread closed the cached pack file: look again once.
                if (attempt > 0) {
                    throw new StoreException(StoreException.Kind.CORRUPT, "chunk " + d + ": pack " + loc.packId() + " is missing", e);
                }
            } catch (CorruptPackException e) {
                throw new StoreException(StoreException.Kind.CORRUPT, "chunk " + d + " is damaged: " + e.getMessage(), e);
            } catch (IOException e) {
                throw StoreException.io("reading chunk " + d + " from pack " + loc.packId(), e);
            }
        }
    }

    @Override
    public boolean has(Digest d) throws StoreException {
        return index.get(d).filter(at -> packReadable(at.packId())).isPresent();
    }

    /**
     * Whether the pack file holding an indexed chunk is there. This is the one answer to "is this
     * chunk readable" for restores and instant recovery: a VM must not start, and a restore must
     * not begin, on a chunk whose pack file has gone. (A pack this reader still has open does not
     * count: the handle may be closed at any time.)
     */
    private boolean packReadable(String packId) {
        return Files.isRegularFile(packs.packFile(packId));
    }

    private void readInto(Digest d, ChunkLocation loc, byte[] out) throws IOException {
        pack(loc.packId()).readFrame(loc.offset(), d, loc.storedLength())
                .decodeInto(codecs.get(), out, loc.rawLength(), loc.packId());
    }

    public static StoreException missing(Digest d) {
        return new StoreException(StoreException.Kind.NOT_FOUND, "chunk " + d + " is not in the store");
    }

    private synchronized PackReader pack(String id) throws IOException {
        PackReader r = open.get(id);
        if (r == null) {
            r = new PackReader(id, packs.packFile(id));
            open.put(id, r);
            if (open.size() > OPEN_PACKS) {
                var eldest = open.entrySet().iterator();
                PackReader old = eldest.next().getValue();
                eldest.remove();
                old.close();
            }
        }
        return r;
    }

    /** Forgets an open pack file (it was deleted or replaced). */
    public synchronized void evict(String packId) {
        PackReader r = open.remove(packId);
        if (r != null) {
            try {
                r.close();
            } catch (IOException ignored) {
                // closing a read-only file
            }
        }
    }

    @Override
    public synchronized void close() {
        for (PackReader r : open.values()) {
            try {
                r.close();
            } catch (IOException ignored) {
                // closing read-only files
            }
        }
        open.clear();
    }
}
