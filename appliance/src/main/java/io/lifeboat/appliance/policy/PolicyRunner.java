package io.lifeboat.appliance.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.concurrent.ExecutionException;

import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.catalog.JobRepository;
import io.lifeboat.appliance.catalog.Timestamps;
import io.lifeboat.appliance.config.ApplianceNode;
import io.lifeboat.appliance.error.ApplianceException;
import io.lifeboat.appliance.inventory.Vm;
import io.lifeboat.appliance.jobs.BackupJobs;
import io.lifeboat.appliance.jobs.JobRunner;
import io.lifeboat.appliance.jobs.ReplicationJobs;
import io.lifeboat.appliance.jobs.StoreJobs;
import io.lifeboat.appliance.metrics.BackupMetrics;
import io.lifeboat.appliance.notify.Failure;
import io.lifeboat.appliance.notify.FailureNotifier;
import io.lifeboat.scheduler.policy.BackupPolicy;
import io.lifeboat.scheduler.policy.ScheduleKind;
import io.lifeboat.scheduler.quartz.PolicyFiring;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.gc.GcReport;
import io.lifeboat.store.verify.VerifyReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * What a firing of a policy schedule does, recorded in {@code policy_runs}:
 * <ul>
 * <li>backup: outside the window nothing starts (SKIPPED_OUTSIDE_WINDOW); a selection matching
 *     no VM is NO_VMS, a warning; otherwise the selected VMs are backed up ({@link BackupRound}),
 *     replicated if the policy says so, and pruned by its retention;</li>
 * <li>verify: the whole store is re-read ({@link io.lifeboat.store.verify.Verifier}) as a VERIFY job;</li>
 * <li>GC: retention prunes the policy's VMs, then the store's garbage is collected as a GC job.</li>
 * </ul>
 * A firing that catches up a misfire takes over its MISFIRE_PENDING row. Failures are notified.
 * Quartz hands it each firing through the scheduler's {@link PolicyFiring}.
 */
@Service
public class PolicyRunner implements PolicyFiring.Target {

    private static final Logger log = LoggerFactory.getLogger(PolicyRunner.class);

    private final PolicyRepository policies;
    private final PolicyRunRepository runs;
    private final PolicyVms vms;
    private final RetentionPrune prune;
    private final BackupJobs backups;
    private final ReplicationJobs replication;
    private final JobRepository jobs;
    private final StoreJobs storeJobs;
    private final ApplianceNode node;
    private final FailureNotifier notifier;
    private final BackupMetrics metrics;

    public PolicyRunner(PolicyRepository policies, PolicyRunRepository runs, PolicyVms vms, RetentionPrune prune,
                        BackupJobs backups, ReplicationJobs replication, JobRepository jobs, StoreJobs storeJobs,
                        ApplianceNode node, FailureNotifier notifier, BackupMetrics metrics) {
        this.policies = policies;
        this.runs = runs;
        this.vms = vms;
        this.prune = prune;
        this.backups = backups;
        this.replication = replication;
        this.jobs = jobs;
        this.storeJobs = storeJobs;
        this.node = node;
        this.notifier = notifier;
        this.metrics = metrics;
    }

    @Override
    public void fire(PolicyFiring.Firing firing) {
        fire(firing.policy(), firing.kind(), firing.scheduled(), firing.fired(), firing.runNow());
    }

    private void fire(String name, ScheduleKind kind, Instant scheduled, Instant fired, boolean runNow) {
        Optional<PolicyRepository.Stored> stored = policies.find(name);
        if (stored.isEmpty()) {
            log.warn("Policy {} fired but no longer exists", name);
            return;
        }
        BackupPolicy policy = stored.get().policy();
        Optional<PolicyRun> caughtUp = runNow ? Optional.empty() : runs.takePendingMisfire(name, kind, fired, node.id());
        PolicyRun run = caughtUp.orElseGet(() -> runs.record(name, kind, scheduled, fired, node.id(),
                runNow ? PolicyRun.Cause.RUN_NOW : PolicyRun.Cause.SCHEDULED, PolicyRun.Outcome.RUNNING, null));
        try {
            switch (kind) {
                case BACKUP -> backup(policy, run, runNow);
                case VERIFY -> verify(policy, run);
                case GC -> gc(policy, run);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            runs.finish(run.id(), PolicyRun.Outcome.FAILED, "the appliance shut down during the run");
        } catch (RuntimeException e) {
            log.error("Policy {}: {} run failed", name, kind, e);
            runs.finish(run.id(), PolicyRun.Outcome.FAILED, e.getMessage());
            notifier.notify(new Failure(name, null, kind.name().toLowerCase(), String.valueOf(e.getMessage()),
                    "look at the appliance log around " + Timestamps.now() + " and run the policy again with"
                            + " POST /api/policies/" + name + "/run", null, node.id(), Timestamps.now()));
        } finally {
            metrics.refresh();
        }
    }

    private void backup(BackupPolicy policy, PolicyRun run, boolean runNow) throws InterruptedException {
        Instant now = Timestamps.now();
        if (!runNow && !policy.inWindow(now)) {
            String w = policy.window().map(x -> x.start() + "-" + x.end()).orElse("");
            runs.finish(run.id(), PolicyRun.Outcome.SKIPPED_OUTSIDE_WINDOW, (run.cause() == PolicyRun.Cause.MISFIRE
                    ? "missed fire time not run: " : "") + "outside the window " + w + " " + policy.zone().getId());
            return;
        }
        List<Vm> selected = vms.toBackUp(policy);
        if (selected.isEmpty()) {
            runs.finish(run.id(), PolicyRun.Outcome.NO_VMS, "warning: the selection matches no VM on " + vms.host());
            log.warn("Policy {}: the selection matches no VM on {}", policy.name(), vms.host());
            return;
        }
        List<String> names = selected.stream().map(Vm::name).toList();
        List<String> jobIds = new ArrayList<>();
        runs.progress(run.id(), names, jobIds);
        List<BackupRound.VmOutcome> outcomes = new BackupRound(policy, backups, jobs).run(selected, runNow, (vm, job) -> {
            jobIds.add(job.toString());
            runs.progress(run.id(), names, jobIds);
        });
        List<String> details = new ArrayList<>();
        int ok = 0;
        for (BackupRound.VmOutcome o : outcomes) {
            if (o.succeeded()) {
                ok++;
            } else {
                details.add(o.vm().name() + ": " + o.error());
                notifier.notify(new Failure(policy.name(), o.vm().name(), "backup", o.error(), advice(policy, o),
                        o.lastJob() == null ? null : o.lastJob().toString(), node.id(), Timestamps.now()));
            }
        }
        if (ok > 0 && policy.replicateAfterBackup()) {
            details.add(replicate());
        }
        RetentionPrune.Result pruned = prune.apply(policy, names);
        details.add(pruned.describe());
        PolicyRun.Outcome outcome = ok == outcomes.size() ? PolicyRun.Outcome.SUCCEEDED
                : ok == 0 ? PolicyRun.Outcome.FAILED : PolicyRun.Outcome.PARTIAL;
        runs.finish(run.id(), outcome, ok + " of " + outcomes.size() + " VM(s) backed up; " + String.join("; ", details));
    }

    private static String advice(BackupPolicy policy, BackupRound.VmOutcome o) {
        return "after " + o.tries() + " tr" + (o.tries() == 1 ? "y" : "ies")
                + ": check that the VM is defined on the default libvirt host and its disks are readable, and that the"
                + " store has space (GET /actuator/health); then back it up by hand with POST /api/vms/" + o.vm().name()
                + "/backups or run the policy again with POST /api/policies/" + policy.name() + "/run";
    }

    private String replicate() {
        try {
            Job job = replication.start();
            return "replication job " + job.id() + " started";
        } catch (ApplianceException e) {
            // not configured (422), or a run is going that takes the new restore points along (409)
            return "replication not started: " + e.getMessage();
        }
    }

    private void verify(BackupPolicy policy, PolicyRun run) throws InterruptedException {
        JobRunner.Started<VerifyReport> started = storeJobs.verify();
        Job job = started.job();
        runs.progress(run.id(), List.of(), List.of(job.id().toString()));
        VerifyReport r;
        try {
            r = outcome(started);
        } catch (StoreException e) {
            storeFailed(policy, run, job, "verify", e);
            return;
        }
        if (r.ok()) {
            runs.finish(run.id(), PolicyRun.Outcome.SUCCEEDED, StoreJobs.summary(r) + ": OK");
        } else {
            String problems = StoreJobs.problems(r);
            runs.finish(run.id(), PolicyRun.Outcome.FAILED, problems);
            notifier.notify(new Failure(policy.name(), null, "verify", problems,
                    "the restore points named may not restore; back their VMs up again now (POST /api/policies/"
                            + policy.name() + "/run), and check the store's disk for errors", job.id().toString(),
                    node.id(), Timestamps.now()));
        }
    }

    private void gc(BackupPolicy policy, PolicyRun run) throws InterruptedException {
        SortedSet<String> names = vms.toPrune(policy);
        RetentionPrune.Result pruned = prune.apply(policy, names);
        JobRunner.Started<GcReport> started = storeJobs.gc(StoreJobs.REPACK_BELOW);
        Job job = started.job();
        runs.progress(run.id(), List.copyOf(names), List.of(job.id().toString()));
        GcReport r;
        try {
            r = outcome(started);
        } catch (StoreException e) {
            storeFailed(policy, run, job, "gc", e);
            return;
        }
        runs.finish(run.id(), pruned.failures().isEmpty() ? PolicyRun.Outcome.SUCCEEDED : PolicyRun.Outcome.PARTIAL,
                pruned.describe() + "; GC removed " + r.chunksRemoved() + " chunk(s), deleted " + r.packsDeleted()
                        + " pack(s), repacked " + r.packsRepacked() + ", freed " + r.bytesFreed() + " bytes ("
                        + r.bytesBefore() + " -> " + r.bytesAfter() + ")");
    }

    /** Waits for a store job's report; its store error as thrown, an interrupt as the appliance shutting down. */
    private static <T> T outcome(JobRunner.Started<T> started) throws StoreException, InterruptedException {
        try {
            return started.result().get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof StoreException s) {
                throw s;
            }
            if (cause instanceof InterruptedException i) {
                throw i;
            }
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        }
    }

    private void storeFailed(BackupPolicy policy, PolicyRun run, Job job, String what, StoreException e) {
        runs.finish(run.id(), PolicyRun.Outcome.FAILED, what + " failed: " + e.getMessage());
        notifier.notify(new Failure(policy.name(), null, what, e.getMessage(),
                "check the store (GET /actuator/health shows whether it is open and has space) and the appliance log",
                job.id().toString(), node.id(), Timestamps.now()));
    }
}
