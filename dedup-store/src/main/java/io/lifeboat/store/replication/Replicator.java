package io.lifeboat.store.replication;

import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.ChunkCompressor;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.index.ChunkLocation;
import io.lifeboat.store.index.PackRecord;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.ManifestFormat;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.pack.PackReader;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copies a store's sealed packs and its manifests to a bucket ({@link BucketLayout}), sending only
 * what the bucket lacks, and optionally {@linkplain BucketPruner prunes} what the store deleted.
 *
 * <p>The bucket itself is the replication state: each run lists {@code packs/} and
 * {@code manifests/} once (one LIST request per thousand objects) and uploads the difference, so
 * a run interrupted at any point resumes without re-sending what arrived, and two appliances or a
 * rebuilt appliance need no local bookkeeping to agree on what is there. A pack is in the bucket
 * only once its upload completed (S3 PUTs and multipart completions are atomic).
 *
 * <p>Uploads run on a pool of {@link ReplicationOptions#concurrency} threads: first every pack the
 * bucket lacks, then every manifest. A pack is uploaded at most once per run: whoever needs it
 * first uploads it, anyone else who needs it waits for that upload, and a failed upload is not
 * retried in the same run (the SDK already retried it).
 *
 * <p>Every upload is read back before it counts ({@link S3Target#put}): a pack or manifest the
 * server did not store as sent fails the run, naming it, and is removed so the next run sends it
 * again.
 *
 * <p>Order: a manifest is uploaded only after every pack the local index places its chunks in is
 * whole in the bucket, read back; a pack it needs that is not there yet (sealed after the listing, or the
 * target of a repack) is uploaded first, by the manifest's own task. So a reader never sees a
 * restore point whose chunks are missing.
 */
public final class Replicator {
    private final Store store;
    private final S3Target target;
    private final ReplicationOptions options;

    public Replicator(Store store, S3Target target) {
        this(store, target, ReplicationOptions.defaults());
    }

    public Replicator(Store store, S3Target target, ReplicationOptions options) {
        this.store = store;
        this.target = target;
        this.options = options;
    }

    public ReplicationReport run(Progress progress) throws StoreException {
        // Find how this server must be sent objects before sending any: a server that cannot store
        // one intact fails the run once, here, instead of once per pack.
        target.probe();
        Run run = new Run();
        if (!target.exists(BucketLayout.CONFIG_KEY)) {
            try {
                byte[] config = Files.readAllBytes(store.root().resolve(Store.CONFIG_FILE));
                target.put(BucketLayout.CONFIG_KEY, config);
                run.bytes.addAndGet(config.length);
            } catch (IOException e) {
                throw StoreException.io("reading the store configuration", e);
            }
        }
        // Manifests before packs: every pack a listed manifest needs was sealed before it was committed.
        List<RestorePointId> restorePoints = store.list();
        Map<String, PackRecord> packs = store.index().packs();
        for (Map.Entry<String, Long> listed : target.list(BucketLayout.PACKS).entrySet()) {
            // An object whose size is not the pack's (damaged in the bucket) counts as missing and is sent again.
            BucketLayout.packId(listed.getKey())
                    .filter(id -> !packs.containsKey(id) || packs.get(id).size() == listed.getValue())
                    .ifPresent(run.inBucket::add);
        }
        Set<RestorePointId> manifestsInBucket = new HashSet<>();
        for (String key : target.list(BucketLayout.MANIFESTS).keySet()) {
            BucketLayout.restorePoint(key).ifPresent(manifestsInBucket::add);
        }

        // Under a bandwidth limit the limit is the bottleneck: one upload at a time gets the whole
        // rate, which the per-attempt timeout assumes (S3Settings#effectiveAttemptTimeout).
        int concurrency = target.settings().bytesPerSecond() > 0 ? 1 : options.concurrency();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "replicate");
            t.setDaemon(true);
            return t;
        });
        try {
            long total = packs.values().stream().filter(p -> !run.inBucket.contains(p.id())).mapToLong(PackRecord::size).sum();
            progress.phase("replicate packs", total);
            List<Future<?>> tasks = new ArrayList<>();
            for (PackRecord p : packs.values()) {
                if (run.inBucket.contains(p.id())) {
                    run.skippedPacks.incrementAndGet();
                    continue;
                }
                tasks.add(pool.submit(() -> {
                    try {
                        run.ensureInBucket(p.id());
                    } catch (NoSuchFileException gone) {
                        // GC removed it since the listing; whatever still needs its chunks names their new pack
                    } catch (IOException e) {
                        run.failures.add("pack " + p.id() + ": " + e.getMessage());
                    }
                    progress.add(p.size());
                }));
            }
            await(tasks);

            progress.phase("replicate restore points", restorePoints.size());
            tasks.clear();
            for (RestorePointId id : restorePoints) {
                if (manifestsInBucket.contains(id)) {
                    run.skippedManifests.incrementAndGet();
                    progress.add(1);
                    continue;
                }
                tasks.add(pool.submit(() -> {
                    try {
                        run.uploadManifest(id);
                    } catch (IOException e) {
                        run.failures.add("restore point " + id + ": " + e.getMessage());
                    }
                    progress.add(1);
                }));
            }
            await(tasks);
        } finally {
            pool.shutdownNow();
        }

        PruneReport prune = null;
        BucketPruner pruner = new BucketPruner(store, target, options.grace(), options.clock());
        try {
            if (options.prune()) {
                prune = pruner.run(progress, run.uploadedManifests);
            } else {
                // so that turning pruning on later can delete what this store deletes meanwhile
                Set<RestorePointId> replicated = new HashSet<>(run.uploadedManifests);
                restorePoints.stream().filter(manifestsInBucket::contains).forEach(replicated::add);
                pruner.remember(replicated);
            }
        } catch (StoreException e) {
            run.failures.add((options.prune() ? "pruning the bucket: " : "recording what was replicated, for pruning: ")
                    + e.getMessage());
            if (options.prune()) {
                prune = PruneReport.refused("pruning stopped: " + e.getMessage());
            }
        }
        return new ReplicationReport(run.packs.get(), run.manifests.get(), run.bytes.get(), run.skippedPacks.get(),
                run.skippedManifests.get(), List.copyOf(run.failures), prune);
    }

    private static void await(List<Future<?>> tasks) throws StoreException {
        for (Future<?> f : tasks) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw StoreException.io("replication", new InterruptedIOException("interrupted"));
            } catch (ExecutionException e) {
                // the tasks catch every IOException; anything else is a bug, reported as such
                throw new IllegalStateException("replication task failed", e.getCause());
            }
        }
    }

    private final class Run {
        final Set<String> inBucket = ConcurrentHashMap.newKeySet();
        final Set<RestorePointId> uploadedManifests = ConcurrentHashMap.newKeySet();
        /** One upload per pack per run; a failed one stays failed (the SDK already retried it). */
        final Map<String, CompletableFuture<Void>> uploads = new ConcurrentHashMap<>();
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger packs = new AtomicInteger();
        final AtomicInteger manifests = new AtomicInteger();
        final AtomicInteger skippedPacks = new AtomicInteger();
        final AtomicInteger skippedManifests = new AtomicInteger();
        final AtomicLong bytes = new AtomicLong();

        /**
         * Returns once the pack is whole in the bucket: uploads it, or waits for the task already
         * uploading it. The uploader is always a running task, never a queued one, so waiting
         * cannot deadlock the pool.
         */
        void ensureInBucket(String packId) throws IOException {
            if (inBucket.contains(packId)) {
                return;
            }
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> other = uploads.putIfAbsent(packId, mine);
            if (other != null) {
                awaitUpload(other);
                return;
            }
            try {
                upload(packId);
                mine.complete(null);
            } catch (IOException | RuntimeException e) {
                mine.completeExceptionally(e);
                throw e;
            }
        }

        private void awaitUpload(CompletableFuture<Void> upload) throws IOException {
            try {
                upload.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for a pack upload");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IllegalStateException("pack upload failed", e.getCause());
            }
        }

        /**
         * Uploads a sealed pack after checking it whole (footer against its id, then every frame's
         * CRC32C, length and SHA-256): a pack damaged on this disk is not sent, so the bucket never
         * takes a bad copy for a good one, and the failure names the chunk.
         */
        private void upload(String packId) throws IOException {
            Path file = store.packs().packFile(packId);
            try (PackReader r = new PackReader(packId, file); ChunkCompressor codec = new ChunkCompressor(1)) {
                FrameCheck.checkEvery(packId, file, r.entries(), codec);
            }
            bytes.addAndGet(target.put(BucketLayout.packKey(packId), file));
            inBucket.add(packId);
            packs.incrementAndGet();
        }

        void uploadManifest(RestorePointId id) throws StoreException {
            byte[] manifest;
            try {
                manifest = Files.readAllBytes(store.manifests().file(id));
            } catch (IOException e) {
                throw StoreException.io("reading manifest " + id, e);
            }
            Manifest m = ManifestFormat.decode(manifest, id.toString());
            if (!m.id().equals(id)) {
                throw new StoreException(StoreException.Kind.CORRUPT, "manifest file of " + id + " holds restore point "
                        + m.id() + "; not uploaded (run verify)");
            }
            Set<String> needed = new HashSet<>();
            for (DiskMap disk : m.disks()) {
                for (int s = 0; s < disk.slotCount(); s++) {
                    Digest d = disk.digest(s);
                    if (d == null) {
                        continue;
                    }
                    Optional<ChunkLocation> loc = store.index().get(d);
                    if (loc.isEmpty()) {
                        throw new StoreException(StoreException.Kind.NOT_FOUND, "chunk " + d
                                + " is not in the local store; not replicating a restore point that cannot be restored (run verify)");
                    }
                    needed.add(loc.get().packId());
                }
            }
            for (String pack : needed) {
                try {
                    ensureInBucket(pack);
                } catch (IOException e) {
                    throw StoreException.io("uploading pack " + pack + " first", e);
                }
            }
            target.put(BucketLayout.manifestKey(id), manifest);
            bytes.addAndGet(manifest.length);
            manifests.incrementAndGet();
            uploadedManifests.add(id);
        }
    }
}
