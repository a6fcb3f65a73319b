package io.lifeboat.appliance.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.catalog.JobRepository;
import io.lifeboat.appliance.catalog.ReplicationStateRepository;
import io.lifeboat.appliance.catalog.RestorePoint;
import io.lifeboat.appliance.catalog.RestorePointRepository;
import io.lifeboat.appliance.catalog.Timestamps;
import io.lifeboat.appliance.inventory.Inventory;
import io.lifeboat.appliance.inventory.LibvirtHosts;
import io.lifeboat.appliance.inventory.Vm;
import io.lifeboat.appliance.policy.PolicyRepository;
import io.lifeboat.scheduler.policy.BackupPolicy;
import org.springframework.stereotype.Service;

/**
 * Computes the {@link DashboardView}. VMs are those of the default libvirt host, the one policies
 * back up from, each matched against every policy's selection (names, globs, tags; paused
 * policies too: a paused policy still claims its VMs, and they age). Of several selecting
 * policies the one with the shortest {@link RecoveryPointObjective} counts. Store totals and
 * history come from the restore points' catalog rows, not from reading the store.
 */
@Service
public class Dashboard {

    static final int HISTORY_DAYS = 30;
    static final Duration FAILURES_SINCE = Duration.ofHours(24);
    private static final int LIMIT = 1000;

    private final Inventory inventory;
    private final LibvirtHosts hosts;
    private final PolicyRepository policies;
    private final JobRepository jobs;
    private final RestorePointRepository restorePoints;
    private final ReplicationStateRepository replication;

    public Dashboard(Inventory inventory, LibvirtHosts hosts, PolicyRepository policies, JobRepository jobs,
                     RestorePointRepository restorePoints, ReplicationStateRepository replication) {
        this.inventory = inventory;
        this.hosts = hosts;
        this.policies = policies;
        this.jobs = jobs;
        this.restorePoints = restorePoints;
        this.replication = replication;
    }

    public DashboardView read() {
        Instant now = Timestamps.now();
        List<RestorePoint> available = restorePoints.listAvailable(null);
        Map<String, Instant> newest = new HashMap<>();
        for (RestorePoint rp : available) {
            newest.merge(rp.vm(), rp.time(), (a, b) -> a.isAfter(b) ? a : b);
        }
        return new DashboardView(vms(now, newest), new DashboardView.Jobs(jobs.list(Job.State.RUNNING, LIMIT),
                jobs.list(Job.State.QUEUED, LIMIT).size()), totals(available), history(now),
                jobs.failedSince(now.minus(FAILURES_SINCE), LIMIT).stream().map(DashboardView.Failure::of).toList());
    }

    private List<DashboardView.VmProtection> vms(Instant now, Map<String, Instant> newest) {
        List<BackupPolicy> all = policies.list().stream().map(PolicyRepository.Stored::policy).toList();
        Map<String, Long> rpos = new HashMap<>();
        all.forEach(p -> rpos.put(p.name(), RecoveryPointObjective.seconds(p, now)));
        Map<String, Instant> replicated = new HashMap<>();
        replication.vms().forEach(v -> replicated.put(v.vm(), v.newestInBucket().time()));

        List<DashboardView.VmProtection> out = new ArrayList<>();
        for (Vm vm : inventory.list(hosts.defaultUri())) {
            Optional<BackupPolicy> policy = all.stream()
                    .filter(p -> p.selection().matches(vm.name(), vm.tags()))
                    .min((a, b) -> Long.compare(orMax(rpos.get(a.name())), orMax(rpos.get(b.name()))));
            Long rpo = policy.map(p -> rpos.get(p.name())).orElse(null);
            Optional<Job> last = jobs.latest(Job.Kind.BACKUP, vm.name());
            Instant newestLocal = newest.get(vm.name());
            Long age = newestLocal == null ? null : Math.max(0, Duration.between(newestLocal, now).toSeconds());
            Instant inBucket = replicated.get(vm.name());
            Long lag = inBucket == null || newestLocal == null ? null
                    : Math.max(0, Duration.between(inBucket, newestLocal).toSeconds());
            boolean failed = last.map(j -> j.state() == Job.State.FAILED).orElse(false);
            out.add(new DashboardView.VmProtection(vm.name(), vm.host(), vm.state(), policy.isPresent(),
                    policy.map(BackupPolicy::name).orElse(null), rpo, last.map(DashboardView.LastBackup::of).orElse(null),
                    age, ProtectionStatus.of(policy.isPresent(), rpo, age, failed), lag));
        }
        return out;
    }

    private static long orMax(Long rpo) {
        return rpo == null ? Long.MAX_VALUE : rpo;
    }

    private static DashboardView.StoreTotals totals(List<RestorePoint> available) {
        long logical = 0;
        long stored = 0;
        long fresh = 0;
        for (RestorePoint rp : available) {
            logical += rp.logicalBytes();
            stored += rp.storedBytes();
            fresh += rp.newBytes();
        }
        return new DashboardView.StoreTotals(logical, stored, fresh, fresh == 0 ? null : (double) logical / fresh,
                stored == 0 ? null : (double) fresh / stored, available.size());
    }

    /** The last {@value #HISTORY_DAYS} days (UTC), oldest first, today's as of now. */
    private List<DashboardView.Day> history(Instant now) {
        List<RestorePointRepository.Lifespan> points = restorePoints.lifespans(now.plusSeconds(1));
        LocalDate today = now.atZone(ZoneOffset.UTC).toLocalDate();
        List<DashboardView.Day> days = new ArrayList<>();
        for (int i = HISTORY_DAYS - 1; i >= 0; i--) {
            LocalDate day = today.minusDays(i);
            Instant end = i == 0 ? now.plusNanos(1) : day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            long stored = 0;
            long count = 0;
            for (RestorePointRepository.Lifespan p : points) {
                if (p.availableAt(end)) {
                    stored += p.storedBytes();
                    count++;
                }
            }
            days.add(new DashboardView.Day(day.toString(), stored, count));
        }
        return days;
    }
}
