package io.lifeboat.appliance.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.lifeboat.appliance.catalog.RestorePoint;
import io.lifeboat.appliance.catalog.RestorePointPins;
import io.lifeboat.appliance.catalog.RestorePointService;
import io.lifeboat.scheduler.policy.BackupPolicy;
import io.lifeboat.scheduler.retention.PruneCandidate;
import io.lifeboat.scheduler.retention.PrunePlan;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.RestorePointId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * A policy's retention applied to the catalog's restore points, per VM, in the policy's zone:
 * {@link #preview} says what would go and which rule keeps each one that stays; {@link #apply}
 * deletes what would go (through {@link RestorePointService}, so each deletion is audited; the
 * chunks go at the next GC). Catalog restore points are complete; a protected one is marked
 * {@code protected}, never removed and not counted by any rule, as in Proxmox Backup Server.
 */
@Component
public class RetentionPrune {

    private static final Logger log = LoggerFactory.getLogger(RetentionPrune.class);

    private final RestorePointService restorePoints;

    public RetentionPrune(RestorePointService restorePoints) {
        this.restorePoints = restorePoints;
    }

    /** One VM's plan, newest restore point first. */
    public record VmPlan(String vm, PrunePlan<RestorePoint> plan) {
    }

    public List<VmPlan> preview(BackupPolicy policy, Iterable<String> vms) {
        List<VmPlan> plans = new ArrayList<>();
        for (String vm : vms) {
            List<PruneCandidate<RestorePoint>> candidates = restorePoints.list(vm).stream()
                    .map(rp -> new PruneCandidate<>(rp, rp.time(), rp.isProtected(), true))
                    .toList();
            plans.add(new VmPlan(vm, policy.retention().planCandidates(candidates, policy.zone())));
        }
        return plans;
    }

    /**
     * Deletes what retention removes; the ids deleted. A failed deletion is logged and reported, the
     * rest go on. A restore point in use (a VM runs on it through instant recovery) is kept for
     * now and reported as such, not as a failure: a later prune deletes it.
     */
    public Result apply(BackupPolicy policy, Iterable<String> vms) {
        List<RestorePointId> deleted = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        List<String> held = new ArrayList<>();
        String actor = "policy:" + policy.name();
        RestorePointPins.Pinned pins = restorePoints.pins();
        for (VmPlan p : preview(policy, vms)) {
            for (RestorePoint rp : p.plan().removed()) {
                Optional<String> pin = pins.why(rp.id());
                if (pin.isPresent()) {
                    log.info("Policy {}: keeping restore point {} for now: {}", policy.name(), rp.id(), pin.get());
                    held.add(rp.id() + " (" + pin.get() + ")");
                    continue;
                }
                try {
                    restorePoints.delete(rp.id(), actor);
                    deleted.add(rp.id());
                } catch (StoreException | RuntimeException e) {
                    log.warn("Policy {}: could not delete restore point {}: {}", policy.name(), rp.id(), e.getMessage());
                    failures.add(rp.id() + ": " + e.getMessage());
                }
            }
        }
        return new Result(deleted, failures, held);
    }

    /** @param held restore points retention removes but that are in use, with why; deleted by a later prune */
    public record Result(List<RestorePointId> deleted, List<String> failures, List<String> held) {
        public String describe() {
            return "retention removed " + deleted.size() + " restore point(s)"
                    + (held.isEmpty() ? "" : "; kept while in use: " + String.join("; ", held))
                    + (failures.isEmpty() ? "" : "; could not remove: " + String.join("; ", failures));
        }
    }
}
