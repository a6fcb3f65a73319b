package io.lifeboat.restore;

import io.lifeboat.kvm.KvmException;
import io.lifeboat.kvm.qemu.QemuImg;
import io.lifeboat.store.Progress;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.pack.PackDirectory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
            try {
                QemuImg.rawToQcow2(raw, qcow2);
            } catch (KvmException k) {
                throw RestoreException.from(k);
            }
            force(qcow2); // qemu-img writes without flushing: durable before the durable raw copy goes
            staged.put(qcow2, e.getValue());
            delete(raw);
            staged.remove(raw);
            progress.add(e.getKey().size());
        }
    }

    /**
     * Renames every staged disk onto its target, all or nothing: a file it replaces is first kept
     * under a hidden hard link ({@code .<file>.lifeboat-previous}), and if any rename fails, every
     * target already replaced gets its previous file back and every new one is removed. Each rename
     * is atomic, so a crash leaves each target either as it was or restored, never torn.
     */
    void commit() throws StoreException {
        Map<Path, Path> previous = new LinkedHashMap<>();
        List<Path> createdNow = new ArrayList<>();
        try {
            for (Map.Entry<Path, Path> e : new ArrayList<>(staged.entrySet())) {
                Path target = e.getValue();
                boolean isNew = !Files.exists(target);
                try {
                    if (!isNew) {
                        Path keep = hidden(target, "previous");
                        Files.deleteIfExists(keep);
                        Files.createLink(keep, target);
                        previous.put(target, keep);
                    }
                    Files.move(e.getKey(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    PackDirectory.fsyncDir(target.getParent());
                } catch (IOException ex) {
                    throw StoreException.io("moving restored disk into place at " + target, ex);
                }
                staged.remove(e.getKey());
                if (isNew) {
                    createdNow.add(target);
                }
            }
        } catch (StoreException failed) {
            List<String> notUndone = new ArrayList<>();
            previous.forEach((target, keep) -> {
                try {
                    Files.move(keep, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    PackDirectory.fsyncDir(target.getParent());
                } catch (IOException ex) {
                    notUndone.add(target + " (its previous file is " + keep + ")");
                }
            });
            createdNow.forEach(StagedDisks::delete);
            throw notUndone.isEmpty() ? new StoreException(failed.kind(), failed.getMessage()
                    + "; every disk already moved into place was put back", failed)
                    : new StoreException(failed.kind(), failed.getMessage() + "; could not put back " + notUndone, failed);
        }
        previous.values().forEach(StagedDisks::delete);
        created.addAll(createdNow);
    }

    private static void force(Path file) throws StoreException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            throw StoreException.io("flushing " + file, e);
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
