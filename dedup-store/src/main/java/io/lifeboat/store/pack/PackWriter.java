package io.lifeboat.store.pack;

import io.lifeboat.store.CrashPoint;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.Codec;
import io.lifeboat.store.chunk.Digest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Appends chunk frames to the store's one open pack and seals it when it reaches the target
 * size. Sealing is the durability point: footer written, file fsynced, renamed from
 * {@code packs/.tmp/} to {@code packs/xx/<id>.pack}, directory fsynced, and only then handed to
 * the {@link SealListener} (which indexes it). Until then nothing outside this class knows the
 * chunks exist, except through {@link OpenPack} handles that sessions wait on.
 */
public final class PackWriter implements AutoCloseable {
    /** Called, under the writer's lock, once a pack is durable on disk. */
    @FunctionalInterface
    public interface SealListener {
        void sealed(SealedPack pack) throws IOException;
    }

    /** A pack that is durable: its id, file, size and entries. */
    public record SealedPack(String id, Path file, long size, List<PackFormat.Entry> entries) {
    }

    private final PackDirectory dir;
    private final long targetSize;
    private final SealListener listener;
    private final byte[] frameHeader = new byte[PackFormat.FRAME_HEADER_SIZE];
    private OpenPack current;
    /** Chunks appended but not indexed yet, so a chunk met twice meanwhile is written once. */
    private final java.util.Map<Digest, OpenPack> inFlight = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ExecutorService sealer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "pack-sealer");
        t.setDaemon(true);
        return t;
    });

    public PackWriter(PackDirectory dir, long targetSize, SealListener listener) {
        this.dir = dir;
        this.targetSize = targetSize;
        this.listener = listener;
    }

    /** Appends one chunk and returns the pack it went into; seals the pack if it is full. */
    public synchronized OpenPack append(Digest digest, Codec codec, int rawLength, byte[] payload, int storedLength)
            throws StoreException {
        OpenPack pack = current;
        try {
            if (pack == null) {
                pack = current = open();
            }
            PackFormat.frameHeader(frameHeader, digest, codec, rawLength, payload, storedLength);
            long offset = pack.size;
            writeFully(pack.channel, ByteBuffer.wrap(frameHeader));
            writeFully(pack.channel, ByteBuffer.wrap(payload, 0, storedLength));
            pack.size += PackFormat.FRAME_HEADER_SIZE + storedLength;
            pack.entries.add(new PackFormat.Entry(digest, offset, rawLength, storedLength, codec));
            inFlight.put(digest, pack);
        } catch (IOException e) {
            fail(pack);
            throw StoreException.io("appending to pack", e);
        }
        if (pack.size >= targetSize) {
            startSealing(pack);
        }
        return pack;
    }

    /**
     * Waits until the given pack is sealed and indexed, sealing it now if it is still the open one
     * (a session about to commit depends on it). Throws if it could not be sealed.
     */
    public void flush(OpenPack pack) throws StoreException {
        synchronized (this) {
            if (pack == current) {
                startSealing(pack);
            }
        }
        pack.awaitSealed();
    }

    /** Seals the open pack, if any, and waits for every pack being sealed. */
    public void flush() throws StoreException {
        OpenPack last;
        synchronized (this) {
            last = current;
            if (last != null) {
                startSealing(last);
            }
        }
        // The sealer is one thread working in order: once the last pack is done, all are.
        try {
            sealer.submit(() -> { }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(StoreException.Kind.IO, "interrupted while sealing packs");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
        if (last != null) {
            last.awaitSealed();
        }
    }

    /** Rotates: new appends go to a new pack while this one is sealed in the background. */
    private void startSealing(OpenPack pack) {
        current = null;
        pack.state = OpenPack.State.SEALING;
        sealer.execute(() -> {
            try {
                seal(pack);
            } catch (StoreException e) {
                pack.failure = e;
            } finally {
                pack.done.countDown();
            }
        });
    }

    private OpenPack open() throws IOException {
        Path tmp = dir.tmpDir().resolve(UUID.randomUUID() + ".tmp");
        FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        OpenPack p = new OpenPack(tmp, ch);
        try {
            writeFully(ch, ByteBuffer.wrap(PackFormat.header()));
        } catch (IOException e) {
            p.fail();
            throw e;
        }
        p.size = PackFormat.HEADER_SIZE;
        return p;
    }

    /** Runs on the sealer thread, one pack at a time, in the order they filled up. */
    private void seal(OpenPack pack) throws StoreException {
        try {
            byte[] footer = PackFormat.footer(pack.entries);
            writeFully(pack.channel, ByteBuffer.wrap(footer));
            writeFully(pack.channel, ByteBuffer.wrap(PackFormat.trailer(pack.size, footer)));
            long size = pack.size + footer.length + PackFormat.TRAILER_SIZE;
            CrashPoint.reach("pack.before-fsync");
            pack.channel.force(true);
            pack.channel.close();
            CrashPoint.reach("pack.before-rename");
            String id = PackId.of(footer);
            Path target = dir.packFile(id);
            Files.createDirectories(target.getParent());
            Files.move(pack.tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            PackDirectory.fsyncDir(target.getParent());
            CrashPoint.reach("pack.before-index");
            listener.sealed(new SealedPack(id, target, size, List.copyOf(pack.entries)));
            pack.sealed(id);
            forget(pack);
        } catch (IOException e) {
            fail(pack);
            throw StoreException.io("sealing pack", e);
        }
    }

    /**
     * The unsealed pack a chunk was appended to, if any. A session that finds its chunk here
     * references it and waits for that pack at commit instead of writing a second copy.
     */
    public java.util.Optional<OpenPack> inFlight(Digest d) {
        return java.util.Optional.ofNullable(inFlight.get(d));
    }

    private void forget(OpenPack pack) {
        pack.entries.forEach(e -> inFlight.remove(e.digest(), pack));
    }

    private void fail(OpenPack pack) {
        if (pack == null) {
            return;
        }
        forget(pack);
        synchronized (this) {
            if (pack == current) {
                current = null;
            }
        }
        pack.fail();
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    @Override
    public void close() throws StoreException {
        try {
            flush();
        } finally {
            sealer.shutdown();
        }
    }

    /** The pack being filled. Sessions that reference its chunks wait for it to be sealed. */
    public static final class OpenPack {
        private final Path tmp;
        private final FileChannel channel;
        private final List<PackFormat.Entry> entries = new ArrayList<>();
        private long size;
        private volatile State state = State.OPEN;
        private volatile String id;
        private volatile StoreException failure;
        private final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);

        /** OPEN: taking chunks; SEALING: full, being made durable; then SEALED (and indexed) or FAILED. */
        public enum State { OPEN, SEALING, SEALED, FAILED }

        private OpenPack(Path tmp, FileChannel channel) {
            this.tmp = tmp;
            this.channel = channel;
        }

        public State state() {
            return state;
        }

        public String id() {
            return id;
        }

        private void awaitSealed() throws StoreException {
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException(StoreException.Kind.IO, "interrupted while sealing a pack");
            }
            if (state != State.SEALED) {
                throw failure != null ? failure
                        : new StoreException(StoreException.Kind.IO, "a pack could not be written");
            }
        }

        private void sealed(String packId) {
            id = packId;
            state = State.SEALED;
        }

        private void fail() {
            state = State.FAILED;
            try {
                channel.close();
            } catch (IOException ignored) {
                // the file is deleted next
            }
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // removed when the store is next opened
            }
        }
    }
}
