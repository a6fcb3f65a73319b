package io.lifeboat.store.read;

import io.lifeboat.kvm.qemu.QemuNbd;
import io.lifeboat.nbd.NbdClient;
import io.lifeboat.nbd.NbdServerException;
import io.lifeboat.store.Progress;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.ChunkGrid;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.ingest.ImageFiles;
import io.lifeboat.store.manifest.DiskMap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes one disk of a restore point into an existing image of that disk, in place: the file
 * keeps its inode, owner, format (raw or qcow2) and its qcow2 persistent dirty bitmaps, which
 * see every write, because the writes go over NBD through {@code qemu-nbd} rather than to the
 * file. Used by failback: first the whole restore point into the original VM's disk, then, at
 * cutover, only the chunks that differ between two restore points.
 *
 * <p>Only the slots whose digest in {@code to} differs from {@code from} are written (two zero
 * slots are equal); consecutive changed slots of the same kind are coalesced, data into writes
 * of up to {@value #MAX_WRITE} bytes, zero slots into one NBD_CMD_WRITE_ZEROES (which may leave
 * holes or qcow2 zero clusters). A few threads fetch and check chunks ahead while one connection
 * writes in disk order; the image is flushed before {@link #patch} returns.
 *
 * <p>Nothing is written if the arguments, the image or the chunks' presence are wrong. A chunk
 * that turns out damaged part-way stops the patch: what was written is flushed, the image is left
 * as far as it got (neither {@code from} nor {@code to}), and the caller resumes by patching again
 * with {@code from = null}.
 */
public final class DiskPatcher {
    /** Largest data write assembled from consecutive slots (one slot if chunks are larger). */
    static final int MAX_WRITE = 4 << 20;
    private static final int READERS = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
    /** Data runs fetched ahead of the writer: bounds memory to about {@code AHEAD * MAX_WRITE}. */
    private static final int AHEAD = 2 * READERS;

    private DiskPatcher() {
    }

    /**
     * What a patch did: slots written (data or zeroes), bytes written as data, bytes written as
     * zeroes, and slots left alone because {@code from} already had them.
     */
    public record Result(int slotsWritten, long bytesWritten, long zeroBytesWritten, int slotsUnchanged) {
    }

    /** Consecutive changed slots [first, end), all data or all zero. */
    private record Run(int first, int end, boolean zero) {
    }

    /**
     * Makes {@code image} hold {@code to}, given that it holds {@code from} now (null: unknown,
     * then every slot is written). The image must be a writable raw or qcow2 file of exactly
     * {@code to.size()} bytes (virtual size), not in use by a VM; {@code from} must have the same
     * size and chunk size. qemu-nbd runs from {@code workDir}, which must not exist yet and is
     * removed afterwards (after a crash, {@link QemuNbd#stopLeftover} stops the orphan from it).
     * Progress: phase {@code patch <disk>}, total the bytes of the changed slots.
     */
    public static Result patch(ChunkSource chunks, DiskMap from, DiskMap to, Path image, Path workDir,
                               Progress progress) throws StoreException {
        Objects.requireNonNull(chunks, "chunks");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(progress, "progress");
        if (from != null && (from.size() != to.size() || from.chunkSize() != to.chunkSize())) {
            throw new StoreException(StoreException.Kind.BAD_INPUT, "cannot patch disk " + to.name() + " ("
                    + to.size() + " bytes in " + to.chunkSize() + "-byte chunks) from a map of " + from.size()
                    + " bytes in " + from.chunkSize() + "-byte chunks");
        }
        ImageFiles.Format format = ImageFiles.check(image);
        if (!Files.isWritable(image)) {
            throw new StoreException(StoreException.Kind.BAD_INPUT, image + " is not writable");
        }
        long size = ImageFiles.virtualSize(image, format);
        if (size != to.size()) {
            throw new StoreException(StoreException.Kind.BAD_INPUT, image + " is " + size + " bytes, disk "
                    + to.name() + " of the restore point is " + to.size() + "; nothing was written");
        }
        if (workDir != null && Files.exists(workDir, LinkOption.NOFOLLOW_LINKS)) {
            throw new StoreException(StoreException.Kind.CONFLICT, "work directory " + workDir
                    + " exists (left by an earlier patch?); nothing was written");
        }
        List<Run> runs = plan(from, to);
        checkChunksPresent(chunks, to, runs);

        long dataBytes = 0;
        long zeroBytes = 0;
        int changedSlots = 0;
        for (Run r : runs) {
            if (r.zero()) {
                zeroBytes += length(to.grid(), r);
            } else {
                dataBytes += length(to.grid(), r);
            }
            changedSlots += r.end() - r.first();
        }
        progress.phase("patch " + to.name(), dataBytes + zeroBytes);
        String qemuFormat = format == ImageFiles.Format.QCOW2 ? "qcow2" : "raw";
        QemuNbd.Served<NbdClient> served;
        try {
            served = QemuNbd.serve(image, qemuFormat, workDir, new QemuNbd.Options(true, null),
                    (socket, export) -> NbdClient.connectUnix(socket, export, List.of()));
        } catch (IOException e) {
            throw StoreException.io("serving " + image + " for writing", e);
        }
        try (QemuNbd server = served.server(); NbdClient client = served.client()) {
            // qemu rounds a raw file up to whole sectors; the restore point must fit what is exported.
            if (client.size() < to.size() || format == ImageFiles.Format.QCOW2 && client.size() != to.size()) {
                throw new StoreException(StoreException.Kind.BAD_INPUT, "qemu-nbd exports " + image + " as "
                        + client.size() + " bytes, disk " + to.name() + " is " + to.size() + "; nothing was written");
            }
            try {
                write(chunks, to, runs, client, progress);
            } catch (IOException | RuntimeException e) {
                flushAfterFailure(client, e);
                throw e;
            }
            client.flush();
        } catch (IOException e) {
            throw failure(image, e);
        }
        return new Result(changedSlots, dataBytes, zeroBytes, to.slotCount() - changedSlots);
    }

    /** The changed slots, coalesced into runs in disk order. */
    private static List<Run> plan(DiskMap from, DiskMap to) {
        int perWrite = Math.max(1, MAX_WRITE / to.chunkSize());
        List<Run> runs = new ArrayList<>();
        int s = 0;
        while (s < to.slotCount()) {
            if (from != null && Objects.equals(from.digest(s), to.digest(s))) {
                s++;
                continue;
            }
            boolean zero = to.isZero(s);
            int first = s++;
            while (s < to.slotCount() && to.isZero(s) == zero && (zero || s - first < perWrite)
                    && (from == null || !Objects.equals(from.digest(s), to.digest(s)))) {
                s++;
            }
            runs.add(new Run(first, s, zero));
        }
        return runs;
    }

    private static void checkChunksPresent(ChunkSource chunks, DiskMap to, List<Run> runs) throws StoreException {
        Set<Digest> missing = new HashSet<>();
        Digest example = null;
        for (Run r : runs) {
            for (int s = r.first(); s < r.end() && !r.zero(); s++) {
                Digest d = to.digest(s);
                if (!chunks.has(d) && missing.add(d) && example == null) {
                    example = d;
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new StoreException(StoreException.Kind.NOT_FOUND, "disk " + to.name() + " needs " + missing.size()
                    + " chunk(s) the store does not have, e.g. " + example + "; nothing was written");
        }
    }

    private static void write(ChunkSource chunks, DiskMap to, List<Run> runs, NbdClient client, Progress progress)
            throws IOException {
        ChunkGrid grid = to.grid();
        ExecutorService readers = Executors.newFixedThreadPool(READERS, r -> {
            Thread t = new Thread(r, "patch-" + to.name());
            t.setDaemon(true);
            return t;
        });
        ArrayDeque<Future<byte[]>> ahead = new ArrayDeque<>();
        Iterator<Run> toFetch = runs.stream().filter(r -> !r.zero()).iterator();
        try {
            for (Run run : runs) {
                long offset = grid.slotOffset(run.first());
                long length = length(grid, run);
                if (run.zero()) {
                    client.writeZeroes(offset, length);
                } else {
                    // Data runs are fetched in the order they are written, so the head is this run.
                    while (ahead.size() < AHEAD && toFetch.hasNext()) {
                        Run next = toFetch.next();
                        ahead.add(readers.submit(() -> fetch(chunks, to, next)));
                    }
                    byte[] data = await(ahead.poll());
                    client.write(offset, data, 0, data.length);
                }
                progress.add(length);
            }
        } finally {
            // Not shutdownNow: an interrupt mid-read would close pack files a shared ChunkReader
            // keeps open. Queued fetches are dropped; running ones end with their run.
            ahead.forEach(f -> f.cancel(false));
            readers.shutdown();
        }
    }

    /** The run's chunks, each checked against its digest and slot length, back to back. */
    private static byte[] fetch(ChunkSource chunks, DiskMap to, Run run) throws StoreException {
        ChunkGrid grid = to.grid();
        byte[] data = new byte[(int) length(grid, run)];
        int at = 0;
        for (int s = run.first(); s < run.end(); s++) {
            Digest d = to.digest(s);
            byte[] chunk = chunks.read(d);
            int need = grid.slotLength(s);
            if (chunk.length != need) {
                throw new StoreException(StoreException.Kind.CORRUPT, "chunk " + d + " has " + chunk.length
                        + " bytes, slot at " + grid.slotOffset(s) + " of disk " + to.name() + " needs " + need);
            }
            // Sources promise verified bytes; this is the last look before they overwrite a VM's disk.
            if (!d.matches(chunk, 0, chunk.length)) {
                throw new StoreException(StoreException.Kind.CORRUPT, "chunk " + d + " for slot at "
                        + grid.slotOffset(s) + " of disk " + to.name() + " does not match its SHA-256");
            }
            System.arraycopy(chunk, 0, data, at, need);
            at += need;
        }
        return data;
    }

    private static byte[] await(Future<byte[]> fetched) throws IOException {
        try {
            return fetched.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(StoreException.Kind.IO, "patch interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** What was written before the failure is kept and made durable, so a resume starts from it. */
    private static void flushAfterFailure(NbdClient client, Exception failure) {
        if (!client.isOpen()) {
            return;
        }
        try {
            client.flush();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    private static StoreException failure(Path image, IOException e) {
        if (e instanceof NbdServerException n && "ENOSPC".equals(n.error())) {
            return new StoreException(StoreException.Kind.NO_SPACE, "writing " + image + ": no space left on device", e);
        }
        return StoreException.io("writing " + image, e);
    }

    private static long length(ChunkGrid grid, Run run) {
        return Math.min(grid.diskSize(), grid.slotOffset(run.end())) - grid.slotOffset(run.first());
    }
}
