package io.lifeboat.appliance.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.catalog.JobRepository;
import io.lifeboat.appliance.catalog.Timestamps;
import io.lifeboat.appliance.inventory.Vm;
import io.lifeboat.appliance.jobs.BackupJobs;
import io.lifeboat.scheduler.policy.BackupPolicy;

/**
 * One backup run of a policy over its selected VMs: starts backup jobs through {@link BackupJobs}
 * while at most {@code maxConcurrentPerHost} run per libvirt host and {@code maxConcurrentTotal}
 * overall, and only while the appliance has a free backup slot ({@link BackupJobs#startWithinLimit}:
 * the limit shared by every policy); starts none once the window has closed, and tries a failed
 * VM again after the backoff until its retries are used up. Blocks until every VM has succeeded
 * or given up.
 */
final class BackupRound {

    static final Duration POLL = Duration.ofMillis(250);

    /** How one VM ended: its last job (null if none could start) and the error, null on success. */
    record VmOutcome(Vm vm, int tries, UUID lastJob, String error) {
        boolean succeeded() {
            return error == null;
        }
    }

    /** What the run reports as it goes: every job started. */
    interface Observer {
        void started(Vm vm, UUID job);
    }

    private final BackupPolicy policy;
    private final BackupJobs backups;
    private final JobRepository jobs;

    BackupRound(BackupPolicy policy, BackupJobs backups, JobRepository jobs) {
        this.policy = policy;
        this.backups = backups;
        this.jobs = jobs;
    }

    private static final class Pending {
        final Vm vm;
        int tries;
        Instant notBefore = Instant.MIN;
        UUID job;
        String error;

        Pending(Vm vm) {
            this.vm = vm;
        }
    }

    List<VmOutcome> run(List<Vm> vms, boolean ignoreWindow, Observer observer) throws InterruptedException {
        Deque<Pending> waiting = new ArrayDeque<>();
        vms.forEach(vm -> waiting.add(new Pending(vm)));
        Map<UUID, Pending> running = new LinkedHashMap<>();
        Map<String, Integer> perHost = new HashMap<>();
        Map<String, VmOutcome> done = new LinkedHashMap<>();
        while (!waiting.isEmpty() || !running.isEmpty()) {
            Instant now = Timestamps.now();
            boolean windowOpen = ignoreWindow || policy.inWindow(now);
            for (int i = waiting.size(); i > 0; i--) {
                Pending p = waiting.poll();
                if (!windowOpen) {
                    done.put(p.vm.name(), outcome(p, p.error == null ? "the policy's window closed before the backup could start"
                            : p.error + "; no retry: the policy's window has closed"));
                } else if (p.notBefore.isAfter(now) || running.size() >= policy.concurrency().total()
                        || perHost.getOrDefault(p.vm.host(), 0) >= policy.concurrency().perHost()) {
                    waiting.add(p);
                } else {
                    start(p, running, perHost, waiting, done, observer);
                }
            }
            Thread.sleep(POLL.toMillis());
            for (var it = running.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                Job job = jobs.find(e.getKey()).orElseThrow();
                if (!job.state().isFinal()) {
                    continue;
                }
                it.remove();
                Pending p = e.getValue();
                perHost.merge(p.vm.host(), -1, Integer::sum);
                if (job.state() == Job.State.SUCCEEDED) {
                    p.error = null;
                    done.put(p.vm.name(), outcome(p, null));
                } else {
                    failed(p, "job " + job.id() + " " + job.state() + ": " + job.error(), waiting, done);
                }
            }
        }
        List<VmOutcome> result = new ArrayList<>();
        vms.forEach(vm -> result.add(done.get(vm.name())));
        return result;
    }

    private void start(Pending p, Map<UUID, Pending> running, Map<String, Integer> perHost, Deque<Pending> waiting,
                       Map<String, VmOutcome> done, Observer observer) {
        Optional<Job> started;
        try {
            started = backups.startWithinLimit(p.vm.name());
        } catch (Exception e) {
            p.tries++;
            failed(p, "could not start: " + e.getMessage(), waiting, done);
            return;
        }
        if (started.isEmpty()) {
            waiting.add(p); // the appliance is at its limit: not a try, the VM waits for a slot
            return;
        }
        p.tries++;
        Job job = started.get();
        p.job = job.id();
        running.put(job.id(), p);
        perHost.merge(p.vm.host(), 1, Integer::sum);
        observer.started(p.vm, job.id());
    }

    private void failed(Pending p, String error, Deque<Pending> waiting, Map<String, VmOutcome> done) {
        p.error = error;
        if (p.tries <= policy.retries().count()) {
            p.notBefore = Timestamps.now().plus(policy.retries().backoff());
            waiting.add(p);
        } else {
            done.put(p.vm.name(), outcome(p, error));
        }
    }

    private static VmOutcome outcome(Pending p, String error) {
        return new VmOutcome(p.vm, p.tries, p.job, error);
    }
}
