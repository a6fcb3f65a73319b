package io.lifeboat.store.replication;

import io.lifeboat.store.Store;
import io.lifeboat.store.manifest.ManifestStore;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.pack.PackFormat;
import io.lifeboat.store.pack.PackId;

import java.util.Optional;

/**
 * Object keys in a replication bucket, version 1. Every key is derived from content or from the
 * restore point's own name, so uploading the same thing twice writes the same key with the same
 * bytes, and an interrupted replication is resumed by listing what is there.
 * <pre>
 * lifeboat-store.json                 the source store's configuration (written once)
 * packs/&lt;xx&gt;/&lt;pack id&gt;.pack          each sealed pack, byte for byte ({@link PackFormat});
 *                                     xx = first two hex digits of the id
 * manifests/&lt;vm&gt;/&lt;time&gt;.manifest     each restore point, byte for byte, uploaded only after
 *                                     every pack holding one of its chunks
 * runbooks/&lt;name&gt;/&lt;version&gt;.yaml      each version of each DR runbook as it was stored, so a
 *                                     recovery site with the bucket alone has them (version:
 *                                     six digits, 000001 first)
 * </pre>
 * There is no separate index object: a reader rebuilds the index from the packs' own footers
 * (a ranged GET of the tail of each pack), so nothing in the bucket can disagree with the packs.
 */
public final class BucketLayout {
    public static final String CONFIG_KEY = Store.CONFIG_FILE;
    public static final String PACKS = "packs/";
    public static final String MANIFESTS = "manifests/";
    public static final String RUNBOOKS = "runbooks/";

    private BucketLayout() {
    }

    public static String packKey(String packId) {
        return PACKS + packId.substring(0, 2) + "/" + packId + PackFormat.EXTENSION;
    }

    public static String manifestKey(RestorePointId id) {
        return MANIFESTS + id.vm() + "/" + id.timePart() + ManifestStore.EXTENSION;
    }

    public static String runbookKey(String name, int version) {
        return RUNBOOKS + name + "/" + String.format(java.util.Locale.ROOT, "%06d", version) + ".yaml";
    }

    /** A runbook version a key names: its name and version, if it is a well-formed runbook key. */
    public record RunbookVersion(String name, int version) {
    }

    public static Optional<RunbookVersion> runbookVersion(String key) {
        if (!key.startsWith(RUNBOOKS) || !key.endsWith(".yaml")) {
            return Optional.empty();
        }
        String rest = key.substring(RUNBOOKS.length(), key.length() - ".yaml".length());
        int slash = rest.indexOf('/');
        if (slash < 1 || rest.indexOf('/', slash + 1) >= 0 || !rest.substring(slash + 1).matches("\\d{6}")) {
            return Optional.empty();
        }
        return Optional.of(new RunbookVersion(rest.substring(0, slash), Integer.parseInt(rest.substring(slash + 1))));
    }

    /** The pack id a key names, if it is a well-formed pack key. */
    public static Optional<String> packId(String key) {
        if (!key.startsWith(PACKS) || !key.endsWith(PackFormat.EXTENSION)) {
            return Optional.empty();
        }
        String rest = key.substring(PACKS.length(), key.length() - PackFormat.EXTENSION.length());
        int slash = rest.indexOf('/');
        if (slash != 2) {
            return Optional.empty();
        }
        String id = rest.substring(3);
        return PackId.isValid(id) && id.startsWith(rest.substring(0, 2)) ? Optional.of(id) : Optional.empty();
    }

    /** The restore point a key names, if it is a well-formed manifest key. */
    public static Optional<RestorePointId> restorePoint(String key) {
        if (!key.startsWith(MANIFESTS) || !key.endsWith(ManifestStore.EXTENSION)) {
            return Optional.empty();
        }
        try {
            return Optional.of(RestorePointId.parse(
                    key.substring(MANIFESTS.length(), key.length() - ManifestStore.EXTENSION.length())));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
