package io.lifeboat.appliance.backup;

import io.lifeboat.kvm.blockjob.Checkpoints;
import io.lifeboat.kvm.domain.Disk;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Keeps libvirt's checkpoints in step with the store. Every restore point of a running VM names
 * the checkpoint created with it ({@link ManifestAttributes#CHECKPOINT}). A backup is incremental
 * from the newest restore point that names one, if libvirt still has that checkpoint and the
 * VM's disks are the same; otherwise it is full, and the reason is recorded. After each backup,
 * this store's checkpoints ({@link #prefix}) that no restore point names (their restore point was deleted, or the job
 * that made them failed) are deleted, so libvirt keeps one bitmap per live restore point.
 */
final class CheckpointChain {
    static final String PREFIX = "lifeboat-";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

    /** Where a backup starts: an incremental's base manifest and checkpoint, or why it is full. */
    record Base(Manifest previous, String checkpoint, String fullReason) {
        boolean incremental() {
            return previous != null;
        }
    }

    private CheckpointChain() {
    }

    /**
     * {@code lifeboat-<first 8 characters of the store id>-}: a checkpoint carries the store it
     * belongs to, so two appliances (or test runs) with different stores on one libvirt host never
     * prune each other's checkpoints.
     */
    static String prefix(Store store) {
        String id = store.config().id().replace("-", "");
        return PREFIX + id.substring(0, Math.min(8, id.length())) + "-";
    }

    static String newName(Store store, String jobId) {
        return prefix(store) + TIME.format(Instant.now()) + "-" + jobId;
    }

    static Base find(Store store, Domain domain, String vm, DomainDefinition def) throws StoreException, LibvirtException {
        if (!def.allTrackChanges()) {
            Disk raw = def.disks().stream().filter(d -> !d.tracksChanges()).findFirst().orElseThrow();
            return new Base(null, null, "disk " + raw.target() + " is " + raw.format()
                    + ", not qcow2: libvirt cannot keep a checkpoint bitmap for it");
        }
        List<RestorePointId> ids = restorePoints(store, vm);
        if (ids.isEmpty()) {
            return new Base(null, null, "first backup of this VM");
        }
        for (int i = ids.size() - 1; i >= 0; i--) {
            Manifest m = store.manifest(ids.get(i));
            String cp = m.attributes().get(ManifestAttributes.CHECKPOINT);
            if (cp == null) {
                continue;
            }
            if (!Checkpoints.exists(domain, cp)) {
                return new Base(null, null, "checkpoint " + cp + " of restore point " + m.id()
                        + " no longer exists in libvirt (deleted, or the VM was redefined)");
            }
            String changed = diskChange(domain, def, m);
            if (changed != null) {
                return new Base(null, null, "disks changed since restore point " + m.id() + ": " + changed);
            }
            return new Base(m, cp, null);
        }
        return new Base(null, null, "no earlier restore point of this VM has a checkpoint");
    }

    private static String diskChange(Domain domain, DomainDefinition def, Manifest m) throws LibvirtException {
        Set<String> now = new HashSet<>();
        for (Disk d : def.disks()) {
            now.add(d.target());
            DiskMap prev = m.disk(d.target());
            if (prev == null) {
                return "disk " + d.target() + " is new";
            }
            long size = domain.blockInfo(d.target()).getCapacity();
            if (prev.size() != size) {
                return "disk " + d.target() + " was " + prev.size() + " bytes, now " + size;
            }
        }
        for (DiskMap prev : m.disks()) {
            if (!now.contains(prev.name())) {
                return "disk " + prev.name() + " was removed";
            }
        }
        return null;
    }

    /** Checkpoints named by any restore point of {@code vm}. */
    static Set<String> referenced(Store store, String vm) throws StoreException {
        Set<String> names = new HashSet<>();
        for (RestorePointId id : restorePoints(store, vm)) {
            String cp = store.manifest(id).attributes().get(ManifestAttributes.CHECKPOINT);
            if (cp != null) {
                names.add(cp);
            }
        }
        return names;
    }

    /**
     * Deletes this engine's checkpoints of the domain that no restore point names, except
     * {@code keep}. Returns what was deleted, and adds failures to {@code warnings}.
     */
    static List<String> prune(Store store, Domain domain, String vm, Set<String> keep, List<String> warnings)
            throws StoreException, LibvirtException {
        Set<String> referenced = referenced(store, vm);
        String prefix = prefix(store);
        List<String> deleted = new ArrayList<>();
        for (String name : Checkpoints.names(domain)) {
            if (!name.startsWith(prefix) || referenced.contains(name) || keep.contains(name)) {
                continue;
            }
            try {
                if (Checkpoints.delete(domain, name)) {
                    deleted.add(name);
                }
            } catch (LibvirtException e) {
                warnings.add("could not delete checkpoint " + name + " of " + vm + ": " + e.getError().getMessage());
            }
        }
        return deleted;
    }

    /** The VM's restore points, oldest first. */
    static List<RestorePointId> restorePoints(Store store, String vm) throws StoreException {
        List<RestorePointId> ids = new ArrayList<>();
        for (RestorePointId id : store.list()) {
            if (id.vm().equals(vm)) {
                ids.add(id);
            }
        }
        ids.sort(Comparator.naturalOrder());
        return ids;
    }
}
