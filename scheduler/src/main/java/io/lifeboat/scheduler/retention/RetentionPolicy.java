package io.lifeboat.scheduler.retention;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * How many backups to keep, with exactly the prune semantics of Proxmox Backup Server
 * ({@code pbs-datastore/src/prune.rs}, {@code compute_prune_info}); see docs/policies.md for a
 * worked example.
 *
 * <ol>
 * <li>Backups are ordered newest first.</li>
 * <li>Incomplete backups are removed, except the newest one if no complete backup is newer
 *     ({@code keep-partial}).</li>
 * <li>The rules run in the order last, hourly, daily, weekly, monthly, yearly. A rule first
 *     notes the periods that contain a backup kept by an earlier rule; those periods are covered
 *     and their backups are left for later rules. It then walks the backups not yet marked:
 *     the first backup of a new period is kept (until the rule has kept {@code count} periods;
 *     at the next new period it stops), and any further backup of a period this rule kept is
 *     <em>removed</em> &mdash; later rules never see it again. So a backup kept by several
 *     rules is attributed to the first.</li>
 * <li>Protected backups are always kept, count for no rule and cover no period.</li>
 * <li>Whatever no rule kept is removed.</li>
 * </ol>
 *
 * <p>All counts zero means "keep everything", as in PBS's prune API and simulator
 * ({@code keep-all}); a count of zero otherwise just disables that rule.
 */
public record RetentionPolicy(int keepLast, int keepHourly, int keepDaily, int keepWeekly,
                              int keepMonthly, int keepYearly) {

    public RetentionPolicy {
        List<String> problems = new ArrayList<>();
        int[] counts = {keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly};
        for (RetentionRule rule : RetentionRule.values()) {
            problemWith(rule, counts[rule.ordinal()]).ifPresent(problems::add);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    public static RetentionPolicy keepAll() {
        return new RetentionPolicy(0, 0, 0, 0, 0, 0);
    }

    /** What is wrong with this count for this rule, if anything; validators report it per field. */
    public static Optional<String> problemWith(RetentionRule rule, int count) {
        return count < 0 ? Optional.of(rule.option() + " must be 0 or more, was " + count) : Optional.empty();
    }

    public int count(RetentionRule rule) {
        return switch (rule) {
            case LAST -> keepLast;
            case HOURLY -> keepHourly;
            case DAILY -> keepDaily;
            case WEEKLY -> keepWeekly;
            case MONTHLY -> keepMonthly;
            case YEARLY -> keepYearly;
        };
    }

    /** True if every count is zero: nothing is ever removed. */
    public boolean keepsAll() {
        for (RetentionRule rule : RetentionRule.values()) {
            if (count(rule) > 0) {
                return false;
            }
        }
        return true;
    }

    /** The plan for bare points in time: all complete, none protected. */
    public PrunePlan<Instant> plan(List<Instant> points, ZoneId zone) {
        return plan(points, Function.identity(), zone);
    }

    /** The plan for complete, unprotected items, each taken at {@code time.apply(item)}. */
    public <T> PrunePlan<T> plan(Collection<T> items, Function<? super T, Instant> time, ZoneId zone) {
        List<PruneCandidate<T>> candidates = new ArrayList<>(items.size());
        for (T item : items) {
            candidates.add(PruneCandidate.of(item, time.apply(item)));
        }
        return planCandidates(candidates, zone);
    }

    /**
     * The plan for one group of backups (one VM's restore points). Periods are computed in
     * {@code zone}. Backups taken at the same instant are ordered as given.
     */
    public <T> PrunePlan<T> planCandidates(Collection<PruneCandidate<T>> candidates, ZoneId zone) {
        Objects.requireNonNull(zone, "zone");
        List<PruneCandidate<T>> list = new ArrayList<>(candidates);
        list.sort(Comparator.comparing((PruneCandidate<T> c) -> c.time()).reversed());
        int n = list.size();
        PruneMark[] marks = new PruneMark[n];
        String[] periods = new String[n];
        int[] ranks = new int[n];

        if (keepsAll()) {
            // PBS's prune API: "No prune selection - keeping all files."
            Arrays.fill(marks, PruneMark.KEEP_ALL);
        } else {
            markIncomplete(list, marks);
            for (RetentionRule rule : RetentionRule.values()) {
                if (count(rule) > 0) {
                    markSelections(rule, count(rule), list, zone, marks, periods, ranks);
                }
            }
        }

        List<PruneDecision<T>> decisions = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            PruneCandidate<T> c = list.get(i);
            PruneMark mark = c.isProtected() ? PruneMark.PROTECTED
                    : marks[i] == null ? PruneMark.REMOVE : marks[i];
            boolean byRule = mark.byRule();
            decisions.add(new PruneDecision<>(c.item(), c.time(), mark,
                    byRule ? periods[i] : "", byRule ? ranks[i] : 0));
        }
        return new PrunePlan<>(decisions);
    }

    /** PBS's remove_incomplete_snapshots: only an incomplete backup newer than all complete ones stays. */
    private static <T> void markIncomplete(List<PruneCandidate<T>> newestFirst, PruneMark[] marks) {
        boolean keepUnfinished = true;
        for (int i = 0; i < newestFirst.size(); i++) {
            if (!newestFirst.get(i).complete()) {
                marks[i] = keepUnfinished ? PruneMark.KEEP_PARTIAL : PruneMark.REMOVE;
            }
            keepUnfinished = false;
        }
    }

    /** PBS's mark_selections for one rule. */
    private static <T> void markSelections(RetentionRule rule, int keep, List<PruneCandidate<T>> newestFirst,
                                           ZoneId zone, PruneMark[] marks, String[] periods, int[] ranks) {
        String[] period = new String[marks.length];
        for (int i = 0; i < marks.length; i++) {
            period[i] = rule.period(newestFirst.get(i).time().atZone(zone));
        }
        Set<String> coveredEarlier = new HashSet<>();
        for (int i = 0; i < marks.length; i++) {
            if (marks[i] != null && marks[i].byRule()) {
                coveredEarlier.add(period[i]);
            }
        }
        Set<String> kept = new HashSet<>();
        for (int i = 0; i < marks.length; i++) {
            if (marks[i] != null) {
                continue;
            }
            if (newestFirst.get(i).isProtected()) {
                marks[i] = PruneMark.PROTECTED;
                continue;
            }
            String p = period[i];
            if (coveredEarlier.contains(p)) {
                continue;
            }
            if (kept.contains(p)) {
                marks[i] = PruneMark.REMOVE;
            } else {
                if (kept.size() >= keep) {
                    break;
                }
                kept.add(p);
                marks[i] = PruneMark.of(rule);
                periods[i] = p;
                ranks[i] = kept.size();
            }
        }
    }
}
