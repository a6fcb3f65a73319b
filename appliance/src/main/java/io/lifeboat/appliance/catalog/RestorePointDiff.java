package io.lifeboat.appliance.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;

/**
 * How much of each disk differs between two restore points of one VM, from their manifests'
 * chunk maps only (no data is read): a slot counts as changed when the two digests at its offset
 * differ, a zero slot being a digest of its own. A disk in only one of them, or cut into chunks
 * of another size, counts as wholly changed; so does the part of a disk that grew or shrank past
 * the other's end.
 *
 * @param from         the restore point compared against, {@code <vm>/<time>} (the one in the URL)
 * @param to           the other one; either may be the older
 * @param changedBytes the sum over {@code disks}
 */
public record RestorePointDiff(String from, String to, List<DiskDiff> disks, long changedBytes) {

    /**
     * One disk: its virtual size and chunk count in {@code to} (in {@code from} if it is gone
     * there), and how many of its chunks and their bytes differ.
     */
    public record DiskDiff(String name, long sizeBytes, long changedBytes, int changedChunks, int chunks) {
    }

    public RestorePointDiff {
        disks = List.copyOf(disks);
    }

    public static RestorePointDiff of(Manifest from, Manifest to) {
        Map<String, DiskMap> before = byName(from);
        Map<String, DiskMap> after = byName(to);
        List<DiskDiff> disks = new ArrayList<>();
        for (DiskMap d : after.values()) {
            DiskMap old = before.get(d.name());
            disks.add(old == null ? wholly(d) : compare(old, d));
        }
        for (DiskMap d : before.values()) {
            if (!after.containsKey(d.name())) {
                disks.add(wholly(d));
            }
        }
        return new RestorePointDiff(from.id().toString(), to.id().toString(), disks,
                disks.stream().mapToLong(DiskDiff::changedBytes).sum());
    }

    private static DiskDiff compare(DiskMap from, DiskMap to) {
        if (from.chunkSize() != to.chunkSize()) {
            return wholly(to);
        }
        // The longer map's grid: its slots past the shorter one's end are all changed.
        DiskMap longer = to.slotCount() >= from.slotCount() ? to : from;
        int common = Math.min(from.slotCount(), to.slotCount());
        long bytes = 0;
        int chunks = 0;
        for (int s = 0; s < longer.slotCount(); s++) {
            boolean changed = s >= common || !Objects.equals(from.digest(s), to.digest(s))
                    || from.grid().slotLength(s) != to.grid().slotLength(s);
            if (changed) {
                chunks++;
                bytes += longer.grid().slotLength(s);
            }
        }
        return new DiskDiff(to.name(), to.size(), bytes, chunks, to.slotCount());
    }

    private static DiskDiff wholly(DiskMap d) {
        return new DiskDiff(d.name(), d.size(), d.size(), d.slotCount(), d.slotCount());
    }

    private static Map<String, DiskMap> byName(Manifest m) {
        Map<String, DiskMap> disks = new LinkedHashMap<>();
        m.disks().forEach(d -> disks.put(d.name(), d));
        return disks;
    }
}
