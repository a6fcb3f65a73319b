package io.lifeboat.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.index.ChunkIndex;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.ManifestStore;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.pack.CorruptPackException;
import io.lifeboat.store.pack.PackDirectory;
import io.lifeboat.store.pack.PackReader;
import io.lifeboat.store.pack.PackWriter;
import io.lifeboat.store.read.ChunkReader;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A Lifeboat chunk store on local disk:
 * <pre>
 * lifeboat-store.json        {@link StoreConfig}: format name and version, chunk size, zstd level
 * lock                       held (flock) by the one process that has the store open
 * packs/xx/&lt;id&gt;.pack         sealed packs ({@link io.lifeboat.store.pack.PackFormat})
 * packs/.tmp/                the pack being written; emptied on open
 * index/                     RocksDB ({@link ChunkIndex})
 * manifests/&lt;vm&gt;/&lt;time&gt;.manifest   restore points ({@link io.lifeboat.store.manifest.ManifestFormat})
 * </pre>
 * Commit protocol: a pack is fsynced and renamed before its chunks are indexed; a manifest is
 * written only after every pack it depends on is sealed and indexed. Opening a store finishes
 * what a crash interrupted: unsealed packs and unfinished manifests are removed, and sealed packs
 * the index does not know yet are indexed from their footers.
 */
public final class Store implements AutoCloseable {
    public static final String CONFIG_FILE = "lifeboat-store.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path root;
    private final StoreConfig config;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ChunkIndex index;
    private final PackDirectory packs;
    private final ManifestStore manifests;
    private final PackWriter writer;
    private final ChunkReader reader;
    private final Set<BackupSession> sessions = ConcurrentHashMap.newKeySet();
    private final Object[] dedupLocks = Stream.generate(Object::new).limit(256).toArray();
    private final AtomicLong clock = new AtomicLong();
    private final List<String> openWarnings = new ArrayList<>();

    private Store(Path root, StoreConfig config, FileChannel lockChannel, FileLock lock, ChunkIndex index) throws IOException {
        this.root = root;
        this.config = config;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.index = index;
        this.packs = new PackDirectory(root.resolve("packs"));
        this.manifests = new ManifestStore(root.resolve("manifests"));
        this.writer = new PackWriter(packs, config.packTargetSize(),
                sealed -> index.addPack(sealed.id(), sealed.size(), sealed.entries(), now()));
        this.reader = new ChunkReader(index, packs);
    }

    /** Creates a new, empty store in {@code dir} (which must not exist or be empty) and opens it. */
    public static Store init(Path dir, StoreConfig config) throws StoreException {
        try {
            config.validate();
        } catch (IllegalArgumentException e) {
            throw new StoreException(StoreException.Kind.BAD_INPUT, e.getMessage());
        }
        try {
            if (Files.exists(dir)) {
                if (!Files.isDirectory(dir)) {
                    throw new StoreException(StoreException.Kind.BAD_INPUT, dir + " exists and is not a directory");
                }
                if (Files.exists(dir.resolve(CONFIG_FILE))) {
                    throw new StoreException(StoreException.Kind.CONFLICT, dir + " is already a Lifeboat store");
                }
                try (Stream<Path> s = Files.list(dir)) {
                    if (s.findAny().isPresent()) {
                        throw new StoreException(StoreException.Kind.CONFLICT, dir + " is not empty; a store needs a directory of its own");
                    }
                }
            }
            Files.createDirectories(dir);
            new PackDirectory(dir.resolve("packs")).create();
            new ManifestStore(dir.resolve("manifests")).create();
            Path tmp = dir.resolve(CONFIG_FILE + ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(config));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, dir.resolve(CONFIG_FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            PackDirectory.fsyncDir(dir);
        } catch (IOException e) {
            throw StoreException.io("creating store at " + dir, e);
        }
        return open(dir);
    }

    public static Store open(Path dir) throws StoreException {
        StoreConfig config = readConfig(dir);
        FileChannel ch = null;
        try {
            ch = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new StoreException(StoreException.Kind.CONFLICT, "store " + dir + " is in use by another process");
            }
            ChunkIndex index = ChunkIndex.open(dir.resolve("index"), 64L << 20);
            Store s = new Store(dir, config, ch, lock, index);
            s.recover();
            return s;
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
            throw StoreException.io("opening store " + dir, e);
        }
    }

    public static StoreConfig readConfig(Path dir) throws StoreException {
        Path f = dir.resolve(CONFIG_FILE);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            throw new StoreException(StoreException.Kind.FORMAT, dir + " is not a Lifeboat store (no " + CONFIG_FILE + ")");
        } catch (IOException e) {
            throw StoreException.io("reading " + f, e);
        }
        StoreConfig c;
        try {
            c = JSON.readValue(bytes, StoreConfig.class);
        } catch (IOException e) {
            throw new StoreException(StoreException.Kind.FORMAT, f + " is not a valid store configuration: "
                    + new String(bytes, 0, Math.min(bytes.length, 80), StandardCharsets.UTF_8).strip());
        }
        if (!StoreConfig.FORMAT.equals(c.format())) {
            throw new StoreException(StoreException.Kind.FORMAT, dir + " is not a Lifeboat store (format '" + c.format() + "')");
        }
        if (c.version() != StoreConfig.VERSION) {
            throw new StoreException(StoreException.Kind.FORMAT, "store " + dir + " has format version " + c.version()
                    + "; this Lifeboat reads version " + StoreConfig.VERSION);
        }
        return c;
    }

    private void recover() throws IOException {
        int tmpPacks = packs.removeUnsealed();
        int tmpManifests = manifests.removeUnfinished();
        if (tmpPacks + tmpManifests > 0) {
            openWarnings.add("removed " + tmpPacks + " unsealed pack(s) and " + tmpManifests
                    + " unfinished manifest(s) left by an interrupted run");
        }
        for (String id : packs.list()) {
            if (index.pack(id).isPresent()) {
                continue;
            }
            try (PackReader r = new PackReader(id, packs.packFile(id))) {
                index.addPack(id, r.size(), r.entries(), now());
                openWarnings.add("indexed pack " + id + " sealed by an interrupted run");
            } catch (CorruptPackException e) {
                openWarnings.add("not indexing " + e.getMessage() + " (verify reports it)");
            }
        }
    }

    /** What opening the store had to repair or could not, for the log. */
    public List<String> openWarnings() {
        return Collections.unmodifiableList(openWarnings);
    }

    public Path root() {
        return root;
    }

    public StoreConfig config() {
        return config;
    }

    public ChunkIndex index() {
        return index;
    }

    public PackDirectory packs() {
        return packs;
    }

    public ManifestStore manifests() {
        return manifests;
    }

    public PackWriter writer() {
        return writer;
    }

    public ChunkReader chunks() {
        return reader;
    }

    /** Milliseconds since the epoch, never going backwards within this process (nor ahead of the wall clock). */
    public long now() {
        return clock.accumulateAndGet(System.currentTimeMillis(), Math::max);
    }

    /**
     * Starts a backup of {@code vm}. Its restore point becomes visible at {@link BackupSession#commit};
     * until then GC keeps every chunk the session has referenced.
     */
    public BackupSession beginBackup(String vm) {
        RestorePointId.validateVm(vm);
        BackupSession s = new BackupSession(this, vm, now());
        sessions.add(s);
        return s;
    }

    /** Serialises the decision to write a new chunk, per digest stripe. */
    Object dedupLock(Digest d) {
        return dedupLocks[d.hashCode() & (dedupLocks.length - 1)];
    }

    /** Called by a session when it commits or aborts. */
    void sessionEnded(BackupSession s) {
        sessions.remove(s);
    }

    /** GC cutoff: chunks touched at or after this time are kept. */
    public long oldestSessionStart(long otherwise) {
        return sessions.stream().mapToLong(BackupSession::startedAt).min().orElse(otherwise);
    }

    public List<RestorePointId> list() throws StoreException {
        return manifests.list();
    }

    public Manifest manifest(RestorePointId id) throws StoreException {
        return manifests.read(id);
    }

    /**
     * What the store holds: one pass over the index and every manifest, so a caller refreshes it
     * on a schedule, not per request.
     */
    public StoreUsage usage() throws StoreException {
        long packBytes = index.packs().values().stream().mapToLong(p -> p.size()).sum();
        Map<Digest, Integer> raw = new HashMap<>();
        long[] stored = new long[1];
        index.forEachChunk((d, loc) -> {
            raw.put(d, loc.rawLength());
            stored[0] += loc.storedLength();
        });
        long distinct = raw.values().stream().mapToLong(Integer::longValue).sum();
        long referenced = 0;
        for (RestorePointId id : list()) {
            for (DiskMap disk : manifest(id).disks()) {
                for (int slot = 0; slot < disk.slotCount(); slot++) {
                    if (!disk.isZero(slot)) {
                        referenced += raw.getOrDefault(disk.digest(slot), 0);
                    }
                }
            }
        }
        return new StoreUsage(packBytes, distinct, stored[0], referenced);
    }

    /** Removes a restore point; its chunks stay until GC finds nothing else uses them. */
    public void delete(RestorePointId id) throws StoreException {
        manifests.delete(id);
    }

    @Override
    public void close() throws StoreException {
        try {
            writer.close();
        } finally {
            reader.close();
            index.close();
            try {
                lock.release();
                lockChannel.close();
            } catch (IOException ignored) {
                // the lock goes with the process anyway
            }
        }
    }
}
