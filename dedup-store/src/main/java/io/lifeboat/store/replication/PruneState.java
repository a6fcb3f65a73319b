package io.lifeboat.store.replication;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lifeboat.store.DurableFiles;
import io.lifeboat.store.StoreException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the store that owns a bucket remembers between runs to prune it safely, one file per
 * bucket in the store directory: {@code <store>/replication/prune-<key>.json}, where {@code key} is
 * the first 16 hex digits of the SHA-256 of "endpoint|region|bucket". Format, version 1:
 * <pre>
 * { "format": "lifeboat-prune-state", "version": 1,
 *   "bucket": "bucket 'lifeboat' at http://s3.example:9000",        for people; not read back
 *   "replicated": ["web01/20261127T070102.123Z", ...],                restore points this store had
 *                                                                     while they were in the bucket
 *   "manifestsMissingSince": {"web01/20261127T070102.123Z": 1764230000000, ...},
 *   "packsUnreferencedSince": {"&lt;pack id&gt;": 1764230000000, ...} }   epoch ms, first seen so
 * </pre>
 * Written to a temporary file, fsynced and renamed, so it is whole or absent. Losing it is safe:
 * grace periods start over, and restore points it no longer lists as replicated are kept in the
 * bucket (reported as foreign) instead of being deleted.
 *
 * <p>Why in the store directory and not in the bucket: only the owning store prunes, and it is
 * the one observing when a restore point disappeared locally; a store rebuilt elsewhere has a new
 * id and cannot prune anyway. Keeping it local costs no requests and adds no objects that readers
 * of the bucket would have to skip.
 */
final class PruneState {
    static final String FORMAT = "lifeboat-prune-state";
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setSerializationInclusion(JsonInclude.Include.ALWAYS);

    /** The file's shape, as Jackson reads and writes it. */
    record File(String format, int version, String bucket, Set<String> replicated,
                Map<String, Long> manifestsMissingSince, Map<String, Long> packsUnreferencedSince) {
    }

    private final Path file;
    private final String bucket;
    final Set<String> replicated;
    final Map<String, Long> manifestsMissingSince;
    final Map<String, Long> packsUnreferencedSince;

    private PruneState(Path file, String bucket, Set<String> replicated, Map<String, Long> manifests,
                       Map<String, Long> packs) {
        this.file = file;
        this.bucket = bucket;
        this.replicated = replicated;
        this.manifestsMissingSince = manifests;
        this.packsUnreferencedSince = packs;
    }

    static Path fileFor(Path storeRoot, S3Settings s) {
        String identity = (s.endpoint() == null ? "aws" : s.endpoint().toString()) + "|" + s.region() + "|" + s.bucket();
        byte[] h = io.lifeboat.store.chunk.Digest.newSha256().digest(identity.getBytes(StandardCharsets.UTF_8));
        return storeRoot.resolve("replication").resolve("prune-" + HexFormat.of().formatHex(h, 0, 8) + ".json");
    }

    static PruneState load(Path file, String bucket) throws StoreException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new PruneState(file, bucket, new TreeSet<>(), new TreeMap<>(), new TreeMap<>());
        } catch (IOException e) {
            throw StoreException.io("reading " + file, e);
        }
        File f;
        try {
            f = JSON.readValue(bytes, File.class);
        } catch (IOException e) {
            throw new StoreException(StoreException.Kind.FORMAT, file + " is damaged (" + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage())
                    + "); nothing was pruned. Delete it to start the grace periods over");
        }
        if (!FORMAT.equals(f.format()) || f.version() != VERSION) {
            throw new StoreException(StoreException.Kind.FORMAT, file + " has format " + f.format() + " version "
                    + f.version() + "; this Lifeboat reads " + FORMAT + " version " + VERSION + "; nothing was pruned");
        }
        return new PruneState(file, bucket,
                f.replicated() == null ? new TreeSet<>() : new TreeSet<>(f.replicated()),
                f.manifestsMissingSince() == null ? new TreeMap<>() : new TreeMap<>(f.manifestsMissingSince()),
                f.packsUnreferencedSince() == null ? new TreeMap<>() : new TreeMap<>(f.packsUnreferencedSince()));
    }

    void save() throws StoreException {
        try {
            Files.createDirectories(file.getParent());
            DurableFiles.replace(file, JSON.writeValueAsBytes(new File(FORMAT, VERSION, bucket, replicated,
                    manifestsMissingSince, packsUnreferencedSince)));
        } catch (IOException e) {
            throw StoreException.io("writing " + file, e);
        }
    }
}
