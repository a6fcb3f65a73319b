package io.lifeboat.restore;

import io.lifeboat.store.Progress;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.pack.PackDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restored disks on their way into place. Every disk is first written in full beside its target
 * under a hidden name ({@code .<file>.lifeboat-raw}, and for qcow2 then
 * {@code .<file>.lifeboat-qcow2}); only when all are written are they renamed onto their targets.
 * So a failure while writing leaves the targets as they were (even the original's disks when
 * restoring over it), and {@link #close} removes what was staged.
 */
final class StagedDisks implements AutoCloseable {
    private final Map<DiskMap, Path> targets;
    private final DiskFormat format;
    private final Map<Path, Path> staged = new LinkedHashMap<>();
    private final List<Path> created = new ArrayList<>();

    StagedDisks(Map<DiskMap, Path> targets, DiskFormat format) {
        this.targets = targets;
        this.format = format;
    }

    /** Writes every disk to its staging file; a cancel stops it before each qcow2 conversion too. */
    void write(RestoreSource source, Progress progress, Cancellation cancel) throws StoreException {
        Map<DiskMap, Path> raws = new LinkedHashMap<>();
        targets.forEach((disk, target) -> raws.put(disk, hidden(target, "raw")));
        raws.values().forEach(raw -> staged.put(raw, null));
        source.writeRaw(raws, progress);
        if (format == DiskFormat.RAW) {
            targets.forEach((disk, target) -> staged.put(raws.get(disk), target));
            return;
        }
        for (Map.Entry<DiskMap, Path> e : targets.entrySet()) {
            Path raw = raws.get(e.getKey());
            Path qcow2 = hidden(e.getValue(), "qcow2");
            cancel.check();
            progress.phase("convert " + e.getKey().name(), e.getKey().size());
            staged.put(qcow2, null);
            QemuImg.rawToQcow2(raw, qcow2);
            staged.put(qcow2, e.getValue());
            delete(raw);
            staged.remove(raw);
            progress.add(e.getKey().size());
        }
    }

    /** Renames every staged disk onto its target. */
    void commit() throws StoreException {
        for (Map.Entry<Path, Path> e : new ArrayList<>(staged.entrySet())) {
            Path target = e.getValue();
            boolean isNew = !Files.exists(target);
            try {
                Files.move(e.getKey(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                PackDirectory.fsyncDir(target.getParent());
            } catch (IOException ex) {
                throw StoreException.io("moving restored disk into place at " + target, ex);
            }
            staged.remove(e.getKey());
            if (isNew) {
                created.add(target);
            }
        }
    }

    /** Removes the disk files {@link #commit} created where there was none (not the ones it replaced). */
    void removeCreated() {
        created.forEach(StagedDisks::delete);
        created.clear();
    }

    @Override
    public void close() {
        staged.keySet().forEach(StagedDisks::delete);
        staged.clear();
    }

    private static Path hidden(Path target, String kind) {
        return target.resolveSibling("." + target.getFileName() + ".lifeboat-" + kind);
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // Best effort: the hidden name marks it as a leftover, and the failure is reported already.
        }
    }
}
