package io.lifeboat.scheduler.policy;

import io.lifeboat.scheduler.retention.RetentionPolicy;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A scheduled backup policy: which VMs, when (a Quartz cron in {@code zone}, optionally only
 * inside a daily window), how many at once, how failures are retried, whether the new restore
 * points are replicated, how long they are kept, and when the store is verified and collected.
 *
 * <p>Every value is valid once constructed; build one from user input with {@link PolicyDraft},
 * which reports all problems at once. The zone applies to every schedule, the window and the
 * retention periods.
 */
public record BackupPolicy(
        String name,
        VmSelection selection,
        String cron,
        ZoneId zone,
        Optional<BackupWindow> window,
        ConcurrencyLimits concurrency,
        RetrySettings retries,
        boolean replicateAfterBackup,
        RetentionPolicy retention,
        Optional<String> verifyCron,
        Optional<String> gcCron,
        MisfireRule misfire) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public BackupPolicy {
        Objects.requireNonNull(selection, "selection");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(concurrency, "concurrency");
        Objects.requireNonNull(retries, "retries");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(verifyCron, "verifyCron");
        Objects.requireNonNull(gcCron, "gcCron");
        Objects.requireNonNull(misfire, "misfire");
        List<Violation> problems = new ArrayList<>();
        problemWithName(name).ifPresent(m -> problems.add(new Violation("name", m)));
        CronSchedule.problemWith(cron).ifPresent(m -> problems.add(new Violation("cron", m)));
        verifyCron.flatMap(CronSchedule::problemWith).ifPresent(m -> problems.add(new Violation("verifyCron", m)));
        gcCron.flatMap(CronSchedule::problemWith).ifPresent(m -> problems.add(new Violation("gcCron", m)));
        InvalidPolicyException.throwIfAny(problems);
    }

    /** A name is 1 to 64 letters, digits, dots, underscores and hyphens: it appears in URLs and job keys. */
    public static Optional<String> problemWithName(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("a name is required");
        }
        if (!NAME.matcher(name).matches()) {
            return Optional.of("'" + name + "' is not a valid name: use 1 to 64 of A-Z a-z 0-9 . _ -");
        }
        return Optional.empty();
    }

    public CronSchedule schedule() {
        return new CronSchedule(cron, zone);
    }

    public Optional<CronSchedule> verifySchedule() {
        return verifyCron.map(c -> new CronSchedule(c, zone));
    }

    public Optional<CronSchedule> gcSchedule() {
        return gcCron.map(c -> new CronSchedule(c, zone));
    }

    /** Every schedule the policy has, backup first. */
    public Map<ScheduleKind, CronSchedule> schedules() {
        Map<ScheduleKind, CronSchedule> s = new EnumMap<>(ScheduleKind.class);
        s.put(ScheduleKind.BACKUP, schedule());
        verifySchedule().ifPresent(c -> s.put(ScheduleKind.VERIFY, c));
        gcSchedule().ifPresent(c -> s.put(ScheduleKind.GC, c));
        return s;
    }

    /** The next {@code n} backup fire times strictly after {@code from}, in the policy's zone. */
    public List<ZonedDateTime> nextFireTimes(int n, Instant from) {
        return schedule().nextFireTimes(n, from);
    }

    /** Whether a backup may start at this instant: always, if the policy has no window. */
    public boolean inWindow(Instant time) {
        return window.map(w -> w.contains(time.atZone(zone).toLocalTime())).orElse(true);
    }
}
