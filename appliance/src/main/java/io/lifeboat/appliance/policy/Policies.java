package io.lifeboat.appliance.policy;

import java.util.ArrayList;
import java.util.List;

import io.lifeboat.appliance.error.ApplianceException;
import io.lifeboat.appliance.inventory.InventoryException;
import io.lifeboat.scheduler.policy.BackupPolicy;
import io.lifeboat.scheduler.policy.ScheduleKind;
import io.lifeboat.scheduler.policy.Violation;
import io.lifeboat.scheduler.quartz.PolicyTriggers;
import org.quartz.SchedulerException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Policies as the API manages them: validated, stored in the catalog and scheduled in Quartz in
 * one transaction (Quartz's job store shares the catalog's DataSource and transactions), so a
 * refused request saves nothing.
 */
@Service
public class Policies {

    private final PolicyRepository policies;
    private final PolicyRunRepository runs;
    private final PolicyTriggers triggers;
    private final PolicyVms vms;

    public Policies(PolicyRepository policies, PolicyRunRepository runs, PolicyTriggers triggers, PolicyVms vms) {
        this.policies = policies;
        this.runs = runs;
        this.triggers = triggers;
        this.vms = vms;
    }

    /** A saved policy, and what is worth a warning about it (a selection that matches no VM now). */
    public record Saved(PolicyRepository.Stored stored, List<String> warnings) {
    }

    @Transactional
    public Saved create(PolicyDocument doc) throws SchedulerException {
        BackupPolicy policy = valid(doc);
        if (!policies.insert(policy)) {
            throw ApplianceException.conflict("a policy named '" + policy.name() + "' exists; change it with PUT /api/policies/"
                    + policy.name());
        }
        triggers.schedule(policy, false);
        return new Saved(get(policy.name()), warnings(policy));
    }

    @Transactional
    public Saved update(String name, PolicyDocument doc) throws SchedulerException {
        BackupPolicy policy = valid(doc.named(name));
        PolicyRepository.Stored before = get(name);
        policies.update(policy);
        triggers.schedule(policy, before.paused());
        return new Saved(get(name), warnings(policy));
    }

    @Transactional
    public void delete(String name) throws SchedulerException {
        get(name);
        triggers.unschedule(name);
        policies.delete(name);
    }

    @Transactional
    public PolicyRepository.Stored pause(String name) throws SchedulerException {
        get(name);
        policies.setPaused(name, true);
        triggers.pause(name);
        return get(name);
    }

    @Transactional
    public PolicyRepository.Stored resume(String name) throws SchedulerException {
        get(name);
        policies.setPaused(name, false);
        triggers.resume(name);
        return get(name);
    }

    /** Fires the schedule now (a paused policy too: the user asked for it). */
    public void runNow(String name, ScheduleKind kind) throws SchedulerException {
        PolicyRepository.Stored stored = get(name);
        if (!stored.policy().schedules().containsKey(kind)) {
            throw ApplianceException.conflict("policy " + name + " has no " + kind.name().toLowerCase() + " schedule");
        }
        triggers.runNow(name, kind);
    }

    public PolicyRepository.Stored get(String name) {
        return policies.find(name).orElseThrow(() -> ApplianceException.notFound("no policy " + name));
    }

    public List<PolicyRepository.Stored> list() {
        return policies.list();
    }

    public List<PolicyRun> runs(String name, int limit) {
        get(name);
        return runs.recent(name, limit);
    }

    private static BackupPolicy valid(PolicyDocument doc) {
        List<Violation> problems = doc.violations();
        if (!problems.isEmpty()) {
            throw new InvalidPolicyRequest(problems);
        }
        return doc.toPolicy();
    }

    private List<String> warnings(BackupPolicy policy) {
        List<String> warnings = new ArrayList<>();
        try {
            if (vms.toBackUp(policy).isEmpty()) {
                warnings.add("the selection matches no VM on " + vms.host()
                        + " now; the policy is saved and backs up the VMs that match when it fires");
            }
        } catch (InventoryException e) {
            warnings.add("could not check which VMs the selection matches: " + e.getMessage());
        }
        return warnings;
    }
}
