package io.lifeboat.scheduler.policy;

import io.lifeboat.scheduler.retention.RetentionPolicy;
import io.lifeboat.scheduler.retention.RetentionRule;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A policy as a user typed it (the REST API's request body): plain strings and numbers, any of
 * them wrong. {@link #violations()} lists every problem with its field name, so an API can answer
 * one 400 with all of them; {@link #toPolicy()} gives the valid {@link BackupPolicy}.
 *
 * <p>Defaults for what is left out: no window, at most 1 backup per host and 4 overall, no
 * retries with a 5-minute backoff, no replication, all keep counts 0 (keep everything), no
 * verify or GC schedule, misfire {@code RUN_ONCE_IF_IN_WINDOW}. Name, a VM selection, cron and
 * time zone are required. Field names in violations: see docs/policies.md.
 */
public final class PolicyDraft {
    private String name;
    private List<String> vmNames = List.of();
    private List<String> vmGlobs = List.of();
    private List<String> vmTags = List.of();
    private String cron;
    private String timeZone;
    private String windowStart;
    private String windowEnd;
    private int maxConcurrentPerHost = 1;
    private int maxConcurrentTotal = 4;
    private int retryCount;
    private String retryBackoff = "PT5M";
    private boolean replicateAfterBackup;
    private final int[] keep = new int[RetentionRule.values().length];
    private String verifyCron;
    private String gcCron;
    private String misfire = MisfireRule.RUN_ONCE_IF_IN_WINDOW.name();

    public PolicyDraft name(String name) {
        this.name = name;
        return this;
    }

    public PolicyDraft vmNames(List<String> vmNames) {
        this.vmNames = vmNames;
        return this;
    }

    public PolicyDraft vmGlobs(List<String> vmGlobs) {
        this.vmGlobs = vmGlobs;
        return this;
    }

    public PolicyDraft vmTags(List<String> vmTags) {
        this.vmTags = vmTags;
        return this;
    }

    public PolicyDraft cron(String cron) {
        this.cron = cron;
        return this;
    }

    public PolicyDraft timeZone(String timeZone) {
        this.timeZone = timeZone;
        return this;
    }

    /** A window from {@code start} to {@code end}, both local {@code HH:mm}; both null for none. */
    public PolicyDraft window(String start, String end) {
        this.windowStart = start;
        this.windowEnd = end;
        return this;
    }

    public PolicyDraft maxConcurrent(int perHost, int total) {
        this.maxConcurrentPerHost = perHost;
        this.maxConcurrentTotal = total;
        return this;
    }

    /** {@code backoff} is an ISO-8601 duration such as {@code PT10M}. */
    public PolicyDraft retries(int count, String backoff) {
        this.retryCount = count;
        this.retryBackoff = backoff;
        return this;
    }

    public PolicyDraft replicateAfterBackup(boolean replicate) {
        this.replicateAfterBackup = replicate;
        return this;
    }

    public PolicyDraft keep(RetentionRule rule, int count) {
        keep[rule.ordinal()] = count;
        return this;
    }

    public PolicyDraft verifyCron(String verifyCron) {
        this.verifyCron = verifyCron;
        return this;
    }

    public PolicyDraft gcCron(String gcCron) {
        this.gcCron = gcCron;
        return this;
    }

    /** {@code RUN_ONCE_IF_IN_WINDOW} or {@code SKIP}, case-insensitive. */
    public PolicyDraft misfire(String misfire) {
        this.misfire = misfire;
        return this;
    }

    /** Every problem with this draft; empty if {@link #toPolicy()} will succeed. */
    public List<Violation> violations() {
        return new Parsed().problems;
    }

    /** The policy, or {@link InvalidPolicyException} carrying every problem. */
    public BackupPolicy toPolicy() {
        Parsed p = new Parsed();
        InvalidPolicyException.throwIfAny(p.problems);
        return new BackupPolicy(name, p.selection, cron, p.zone, p.window, p.concurrency, p.retries,
                replicateAfterBackup, p.retention, blankToEmpty(verifyCron), blankToEmpty(gcCron), p.misfireRule);
    }

    /** One pass over the draft: the parsed parts, and what was wrong with the others. */
    private final class Parsed {
        final List<Violation> problems = new ArrayList<>();
        VmSelection selection;
        ZoneId zone;
        Optional<BackupWindow> window = Optional.empty();
        ConcurrencyLimits concurrency;
        RetrySettings retries;
        RetentionPolicy retention;
        MisfireRule misfireRule;

        Parsed() {
            BackupPolicy.problemWithName(name).ifPresent(m -> problems.add(new Violation("name", m)));
            List<Violation> selectionProblems = VmSelection.check(vmNames, vmGlobs, vmTags);
            selectionProblems.forEach(v -> problems.add(v.within("selection")));
            selection = selectionProblems.isEmpty() ? new VmSelection(vmNames, vmGlobs, vmTags) : null;
            CronSchedule.problemWith(cron).ifPresent(m -> problems.add(new Violation("cron", m)));
            zone = parseZone();
            window = parseWindow();
            concurrency = limits();
            retries = retrySettings();
            retention = retention();
            optionalCron("verifyCron", verifyCron);
            optionalCron("gcCron", gcCron);
            misfireRule = parseMisfire();
        }

        private ZoneId parseZone() {
            if (timeZone == null || timeZone.isBlank()) {
                problems.add(new Violation("timeZone", "a time zone is required, such as Europe/Berlin or UTC"));
                return null;
            }
            try {
                return ZoneId.of(timeZone);
            } catch (DateTimeException e) {
                problems.add(new Violation("timeZone",
                        "unknown time zone '" + timeZone + "': use a region such as Europe/Berlin, or UTC"));
                return null;
            }
        }

        private Optional<BackupWindow> parseWindow() {
            if (windowStart == null && windowEnd == null) {
                return Optional.empty();
            }
            LocalTime start = localTime("window.start", windowStart);
            LocalTime end = localTime("window.end", windowEnd);
            if (start == null || end == null) {
                return Optional.empty();
            }
            Optional<String> problem = BackupWindow.problemWith(start, end);
            problem.ifPresent(m -> problems.add(new Violation("window", m)));
            return problem.isPresent() ? Optional.empty() : Optional.of(new BackupWindow(start, end));
        }

        private LocalTime localTime(String field, String text) {
            if (text == null || text.isBlank()) {
                problems.add(new Violation(field, "is required when a window is given (HH:mm)"));
                return null;
            }
            try {
                return LocalTime.parse(text);
            } catch (DateTimeParseException e) {
                problems.add(new Violation(field, "'" + text + "' is not a time of day (HH:mm)"));
                return null;
            }
        }

        private ConcurrencyLimits limits() {
            List<Violation> found = ConcurrencyLimits.check(maxConcurrentPerHost, maxConcurrentTotal);
            found.forEach(v -> problems.add(new Violation(
                    v.field().equals("perHost") ? "maxConcurrentPerHost" : "maxConcurrentTotal", v.message())));
            return found.isEmpty() ? new ConcurrencyLimits(maxConcurrentPerHost, maxConcurrentTotal) : null;
        }

        private RetrySettings retrySettings() {
            Duration backoff = null;
            if (retryBackoff != null) {
                try {
                    backoff = Duration.parse(retryBackoff);
                } catch (DateTimeParseException e) {
                    problems.add(new Violation("retries.backoff",
                            "'" + retryBackoff + "' is not an ISO-8601 duration such as PT10M"));
                    return null;
                }
            }
            List<Violation> found = RetrySettings.check(retryCount, backoff);
            found.forEach(v -> problems.add(v.within("retries")));
            return found.isEmpty() ? new RetrySettings(retryCount, backoff) : null;
        }

        private RetentionPolicy retention() {
            boolean valid = true;
            for (RetentionRule rule : RetentionRule.values()) {
                Optional<String> problem = RetentionPolicy.problemWith(rule, keep[rule.ordinal()]);
                if (problem.isPresent()) {
                    problems.add(new Violation("retention." + rule.option(), problem.get()));
                    valid = false;
                }
            }
            return valid ? new RetentionPolicy(keep[0], keep[1], keep[2], keep[3], keep[4], keep[5]) : null;
        }

        private void optionalCron(String field, String expression) {
            blankToEmpty(expression).flatMap(CronSchedule::problemWith)
                    .ifPresent(m -> problems.add(new Violation(field, m)));
        }

        private MisfireRule parseMisfire() {
            String known = Arrays.stream(MisfireRule.values()).map(Enum::name).collect(Collectors.joining(", "));
            if (misfire == null || misfire.isBlank()) {
                problems.add(new Violation("misfire", "is required: one of " + known));
                return null;
            }
            try {
                return MisfireRule.valueOf(misfire.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add(new Violation("misfire", "'" + misfire + "' is not one of " + known));
                return null;
            }
        }
    }

    private static Optional<String> blankToEmpty(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }
}
