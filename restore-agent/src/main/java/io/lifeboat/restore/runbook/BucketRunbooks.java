package io.lifeboat.restore.runbook;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.lifeboat.restore.RestoreException;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.replication.BucketLayout;
import io.lifeboat.store.replication.S3Target;

/**
 * The runbooks in a replication bucket ({@code runbooks/<name>/<version>.yaml}): what the
 * appliance uploads beside the restore points, and what a recovery site that has nothing but the
 * bucket reads them from.
 */
public final class BucketRunbooks {

    private final S3Target target;

    public BucketRunbooks(S3Target target) {
        this.target = target;
    }

    /** Each runbook in the bucket, by name, with its versions in ascending order. */
    public Map<String, List<Integer>> list() throws StoreException {
        Map<String, List<Integer>> out = new TreeMap<>();
        for (String key : target.list(BucketLayout.RUNBOOKS).keySet()) {
            BucketLayout.runbookVersion(key).ifPresent(v -> out.computeIfAbsent(v.name(), n -> new ArrayList<>()).add(v.version()));
        }
        out.values().forEach(l -> l.sort(null));
        return out;
    }

    /** A version's YAML; the newest if {@code version} is empty. NOT_FOUND if the bucket has no such runbook or version. */
    public String read(String name, Optional<Integer> version) throws StoreException {
        int v;
        if (version.isPresent()) {
            v = version.get();
        } else {
            List<Integer> versions = list().get(name);
            if (versions == null) {
                throw RestoreException.notFound("the bucket holds no runbook " + name);
            }
            v = versions.get(versions.size() - 1);
        }
        String key = BucketLayout.runbookKey(name, v);
        if (!target.exists(key)) {
            throw RestoreException.notFound("the bucket holds no version " + v + " of runbook " + name);
        }
        return new String(target.get(key), StandardCharsets.UTF_8);
    }

    /** Uploads a version unless the bucket has it; true if it was uploaded. */
    public boolean upload(String name, int version, String yaml, Map<String, List<Integer>> present) throws StoreException {
        List<Integer> there = present.get(name);
        if (there != null && there.contains(version)) {
            return false;
        }
        target.put(BucketLayout.runbookKey(name, version), yaml.getBytes(StandardCharsets.UTF_8));
        return true;
    }
}
