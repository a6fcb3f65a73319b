package io.lifeboat.store.verify;

import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.ChunkCompressor;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.index.ChunkLocation;
import io.lifeboat.store.index.PackRecord;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.pack.PackFormat;
import io.lifeboat.store.pack.PackReader;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Re-reads every chunk of every indexed pack, checks CRC32C, decompresses and recomputes the
 * SHA-256; then walks every manifest and names the restore points that reference a bad or
 * missing chunk. Reads only; repairs nothing.
 */
public final class Verifier {
    private final Store store;

    public Verifier(Store store) {
        this.store = store;
    }

    public VerifyReport run(Progress progress) throws StoreException {
        Map<String, PackRecord> packs = store.index().packs();
        long total = packs.values().stream().mapToLong(PackRecord::size).sum();
        progress.phase("verify packs", total);
        Map<Digest, VerifyReport.BadChunk> bad = new HashMap<>();
        List<String> badPacks = new ArrayList<>();
        long chunks = 0;
        long bytes = 0;
        try (ChunkCompressor codec = new ChunkCompressor(1)) {
            byte[] raw = new byte[0];
            for (PackRecord p : packs.values()) {
                List<PackFormat.Entry> entries;
                try (PackReader r = new PackReader(p.id(), store.packs().packFile(p.id()))) {
                    entries = r.entries();
                    for (PackFormat.Entry e : entries) {
                        Optional<ChunkLocation> loc = store.index().get(e.digest());
                        boolean referenced = loc.isPresent() && loc.get().packId().equals(p.id())
                                && loc.get().offset() == e.offset();
                        String problem = check(r, e, codec, raw.length >= e.rawLength() ? raw : (raw = new byte[e.rawLength()]));
                        chunks++;
                        bytes += e.storedLength();
                        if (problem != null && referenced) {
                            bad.put(e.digest(), new VerifyReport.BadChunk(e.digest().hex(), p.id(), e.offset(), problem));
                        }
                    }
                } catch (IOException e) {
                    badPacks.add(p.id() + ": " + e.getMessage());
                }
                progress.add(p.size());
            }
        }
        if (!badPacks.isEmpty()) {
            // Every chunk the index places in an unreadable pack is lost with it.
            Set<String> lost = new HashSet<>();
            badPacks.forEach(s -> lost.add(s.substring(0, 64)));
            store.index().forEachChunk((d, loc) -> {
                if (lost.contains(loc.packId())) {
                    bad.put(d, new VerifyReport.BadChunk(d.hex(), loc.packId(), loc.offset(), "pack unreadable"));
                }
            });
        }

        List<RestorePointId> ids = store.list();
        progress.phase("verify restore points", ids.size());
        Map<String, Long> affected = new TreeMap<>();
        List<String> corruptManifests = new ArrayList<>();
        long missing = 0;
        Set<Digest> missingSeen = new HashSet<>();
        for (RestorePointId id : ids) {
            Manifest m;
            try {
                m = store.manifest(id);
            } catch (StoreException e) {
                corruptManifests.add(e.getMessage());
                progress.add(1);
                continue;
            }
            long hits = 0;
            for (DiskMap disk : m.disks()) {
                for (int s = 0; s < disk.slotCount(); s++) {
                    Digest d = disk.digest(s);
                    if (d == null) {
                        continue;
                    }
                    if (bad.containsKey(d)) {
                        hits++;
                    } else if (store.index().get(d).isEmpty()) {
                        hits++;
                        if (missingSeen.add(d)) {
                            missing++;
                        }
                    }
                }
            }
            if (hits > 0) {
                affected.put(id.toString(), hits);
            }
            progress.add(1);
        }
        List<VerifyReport.BadChunk> badList = new ArrayList<>(bad.values());
        badList.sort((a, b) -> a.digest().compareTo(b.digest()));
        return new VerifyReport(packs.size(), chunks, bytes, badList, badPacks, missing, affected, corruptManifests);
    }

    private static String check(PackReader r, PackFormat.Entry e, ChunkCompressor codec, byte[] raw) {
        try {
            r.readFrame(e.offset(), e.digest(), e.storedLength()).decodeInto(codec, raw, e.rawLength(), r.id());
            return null;
        } catch (IOException | RuntimeException ex) {
            return ex.getMessage();
        }
    }
}
