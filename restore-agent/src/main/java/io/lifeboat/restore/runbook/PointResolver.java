package io.lifeboat.restore.runbook;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import io.lifeboat.restore.runbook.Runbook.PointChoice;
import io.lifeboat.store.manifest.RestorePointId;

/**
 * Picks a VM's restore point by its runbook's {@code point}. {@code replicated} tells which
 * restore points are in the bucket: all of them when the runner reads the bucket; for a local
 * store, what its replication has copied, or null when the runner does not know (then
 * {@code newest-replicated} finds none, with a reason that says so).
 */
record PointResolver(Predicate<RestorePointId> replicated) {

    Optional<RestorePointId> resolve(Runbook.Vm vm, List<RestorePointId> all) {
        PointChoice c = vm.point();
        var mine = all.stream().filter(p -> p.vm().equals(vm.vm())).sorted(Comparator.comparing(RestorePointId::time)).toList();
        Predicate<RestorePointId> wanted;
        if (c instanceof PointChoice.Newest) {
            wanted = p -> true;
        } else if (c instanceof PointChoice.NewestReplicated) {
            wanted = replicated == null ? p -> false : replicated;
        } else if (c instanceof PointChoice.Before b) {
            wanted = p -> p.time().isBefore(b.time());
        } else {
            wanted = p -> p.time().equals(((PointChoice.Named) c).time());
        }
        for (int i = mine.size() - 1; i >= 0; i--) {
            if (wanted.test(mine.get(i))) {
                return Optional.of(mine.get(i));
            }
        }
        return Optional.empty();
    }

    /** Why {@link #resolve} found none. */
    String none(Runbook.Vm vm) {
        PointChoice c = vm.point();
        String which;
        if (c instanceof PointChoice.Newest) {
            which = "restore point";
        } else if (c instanceof PointChoice.NewestReplicated) {
            if (replicated == null) {
                return "point newest-replicated needs the bucket (this runner reads a local store and does not know what"
                        + " is replicated): run it with the bucket, or choose point: newest";
            }
            which = "replicated restore point";
        } else if (c instanceof PointChoice.Before b) {
            which = "restore point taken before " + b.time();
        } else {
            which = "restore point " + vm.vm() + "/" + new RestorePointId(vm.vm(), ((PointChoice.Named) c).time()).timePart();
        }
        return "VM " + vm.vm() + " has no " + which + "; back it up or replicate it, then resume the run";
    }
}
