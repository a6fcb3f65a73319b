package io.lifeboat.store.gc;

import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.index.ChunkLocation;
import io.lifeboat.store.index.PackRecord;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.pack.PackFormat;
import io.lifeboat.store.pack.PackReader;
import io.lifeboat.store.pack.PackWriter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Mark and sweep over the index, then pack cleanup:
 * <ol>
 *   <li>cutoff = the earlier of now and the start of the oldest backup still running;</li>
 *   <li>mark: every chunk a restore point names is touched with the GC's start time;</li>
 *   <li>sweep: index entries touched before the cutoff are removed (each under the same stripe
 *       lock a backup takes to find and touch a chunk, so a chunk cannot be swept between a
 *       backup finding it and touching it);</li>
 *   <li>packs: a pack with no indexed chunk is deleted; a pack with dead chunks whose live bytes
 *       fall below the threshold has its live chunks copied, as they are, into new packs, the index pointed at
 *       the copies, and the old pack deleted.</li>
 * </ol>
 * A backup that started before GC keeps its chunks: it touched each one at or after its own start,
 * which is at or after the cutoff. If any manifest cannot be read, GC stops before sweeping:
 * a damaged manifest must never make its chunks look unused.
 */
public final class GarbageCollector {
    private final Store store;

    public GarbageCollector(Store store) {
        this.store = store;
    }

    public GcReport run(double repackBelow, boolean dryRun, Progress progress) throws StoreException {
        if (repackBelow < 0 || repackBelow > 1) {
            throw new StoreException(StoreException.Kind.BAD_INPUT, "repack threshold must be between 0 and 1, got " + repackBelow);
        }
        long start = store.now();
        long cutoff = store.oldestSessionStart(start);
        long before = packBytes();

        List<RestorePointId> ids = store.list();
        progress.phase("gc mark", ids.size());
        for (RestorePointId id : ids) {
            Manifest m = store.manifest(id); // throws on a damaged manifest: no sweep
            for (DiskMap disk : m.disks()) {
                for (int s = 0; s < disk.slotCount(); s++) {
                    Digest d = disk.digest(s);
                    if (d != null) {
                        store.index().mark(d, start);
                    }
                }
            }
            progress.add(1);
        }
        store.index().sync();

        List<Digest> stale = new ArrayList<>();
        store.index().forEachChunk((d, loc) -> {
            if (loc.touched() < cutoff) {
                stale.add(d);
            }
        });
        progress.phase("gc sweep", stale.size());
        long removed = 0;
        for (Digest d : stale) {
            if (dryRun || store.index().removeIfStale(d, cutoff)) {
                removed++;
            }
            progress.add(1);
        }
        store.index().sync();
        if (dryRun) {
            return new GcReport(true, ids.size(), removed, 0, 0, 0, before, before);
        }

        // Packs first, then their live bytes: a pack's chunks are indexed before its record, so
        // every pack listed here has all its entries counted. Packs sealed after GC started
        // belong to running backups and are left alone.
        Map<String, PackRecord> packs = store.index().packs();
        packs.values().removeIf(p -> p.sealedAt() >= start);
        Map<String, Long> live = new HashMap<>();
        Map<String, Integer> liveChunks = new HashMap<>();
        store.index().forEachChunk((d, loc) -> {
            live.merge(loc.packId(), (long) PackFormat.FRAME_HEADER_SIZE + loc.storedLength(), Long::sum);
            liveChunks.merge(loc.packId(), 1, Integer::sum);
        });
        progress.phase("gc packs", packs.size());
        int deleted = 0;
        int repacked = 0;
        for (PackRecord p : packs.values()) {
            long liveBytes = live.getOrDefault(p.id(), 0L);
            if (liveBytes == 0) {
                deletePack(p.id());
                deleted++;
            } else if (liveChunks.getOrDefault(p.id(), 0) < p.chunkCount() && (double) liveBytes / p.size() < repackBelow) {
                // Only a pack with dead chunks: one whose chunks are all live has nothing to
                // reclaim, however small its frames are next to its footer (highly compressible
                // data), and copying it would write the very same pack again.
                repack(p.id());
                repacked++;
            }
            progress.add(1);
        }
        long after = packBytes();
        return new GcReport(false, ids.size(), removed, deleted, repacked, before - after, before, after);
    }

    private void repack(String packId) throws StoreException {
        List<PackFormat.Entry> moved = new ArrayList<>();
        List<PackWriter.OpenPack> targets = new ArrayList<>();
        try (PackReader r = new PackReader(packId, store.packs().packFile(packId))) {
            for (PackFormat.Entry e : r.entries()) {
                ChunkLocation loc = store.index().get(e.digest()).orElse(null);
                if (loc == null || !loc.packId().equals(packId) || loc.offset() != e.offset()) {
                    continue;
                }
                PackReader.Frame f = r.readFrame(e.offset(), e.digest(), e.storedLength());
                targets.add(store.writer().append(e.digest(), e.codec(), e.rawLength(), f.payload(), e.storedLength()));
                moved.add(e);
            }
        } catch (IOException e) {
            throw StoreException.io("repacking " + packId, e);
        }
        store.writer().flush();
        for (int i = 0; i < moved.size(); i++) {
            PackWriter.OpenPack target = targets.get(i);
            if (target.state() != PackWriter.OpenPack.State.SEALED) {
                throw new StoreException(StoreException.Kind.IO, "repack of " + packId + " could not seal its new pack");
            }
            if (target.id().equals(packId)) {
                // The live chunks made the same pack again (same chunks, same order, so the same
                // footer and id): the index already points at it, and it must stay.
                return;
            }
            PackFormat.Entry copy = locate(target.id(), moved.get(i).digest());
            store.index().relocate(copy, packId, target.id());
        }
        deletePack(packId);
    }

    private final Map<String, Map<Digest, PackFormat.Entry>> sealedEntries = new HashMap<>();

    private PackFormat.Entry locate(String packId, Digest d) throws StoreException {
        Map<Digest, PackFormat.Entry> entries = sealedEntries.get(packId);
        if (entries == null) {
            entries = new HashMap<>();
            try (PackReader r = new PackReader(packId, store.packs().packFile(packId))) {
                for (PackFormat.Entry e : r.entries()) {
                    entries.put(e.digest(), e);
                }
            } catch (IOException e) {
                throw StoreException.io("reading new pack " + packId, e);
            }
            sealedEntries.put(packId, entries);
        }
        return entries.get(d);
    }

    private void deletePack(String id) throws StoreException {
        store.index().removePack(id);
        store.chunks().evict(id);
        try {
            store.packs().delete(id);
        } catch (IOException e) {
            throw StoreException.io("deleting pack " + id, e);
        }
    }

    private long packBytes() {
        return store.index().packs().values().stream().mapToLong(PackRecord::size).sum();
    }
}
