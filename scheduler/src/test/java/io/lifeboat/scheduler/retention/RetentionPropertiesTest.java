package io.lifeboat.scheduler.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.testkit.Seeds;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.temporal.WeekFields;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Properties of retention over random backup histories, random policies and zones with DST. */
class RetentionPropertiesTest {

    private static final List<ZoneId> ZONES = List.of(ZoneId.of("UTC"), ZoneId.of("Europe/Berlin"),
            ZoneId.of("America/New_York"), ZoneId.of("Australia/Lord_Howe"), ZoneId.of("Asia/Kolkata"),
            ZoneId.of("Pacific/Chatham"));
    /** Spacing between backups, in seconds: from several an hour to every few weeks. */
    private static final long[] MAX_GAPS = {900, 3 * 3600, 86_400, 4 * 86_400, 30 * 86_400};

    static LongStream seeds() {
        return Seeds.seeds(300);
    }

    /** One random case: a history (items are indexes), a policy and a zone. */
    private record Case(List<PruneCandidate<Integer>> history, RetentionPolicy policy, ZoneId zone, Random random) {
        static Case of(long seed) {
            Random r = new Random(seed);
            int n = r.nextInt(0, 150);
            // start somewhere in a year with DST changes either side, sometimes spanning the year end
            Instant t = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(r.nextLong(0, 365L * 86_400));
            long maxGap = MAX_GAPS[r.nextInt(MAX_GAPS.length)];
            double protectedShare = r.nextBoolean() ? 0 : 0.1;
            double incompleteShare = r.nextBoolean() ? 0 : 0.1;
            List<PruneCandidate<Integer>> history = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                t = t.plusSeconds(r.nextLong(1, maxGap + 1));
                history.add(new PruneCandidate<>(i, t, r.nextDouble() < protectedShare,
                        r.nextDouble() >= incompleteShare));
            }
            Collections.shuffle(history, r);
            return new Case(history, randomPolicy(r), ZONES.get(r.nextInt(ZONES.size())), r);
        }
    }

    private static RetentionPolicy randomPolicy(Random r) {
        int[] c = new int[6];
        for (int i = 0; i < 6; i++) {
            c[i] = r.nextInt(10) < 4 ? 0 : r.nextInt(1, 8);
        }
        return new RetentionPolicy(c[0], c[1], c[2], c[3], c[4], c[5]);
    }

    private static Map<Integer, PruneMark> marks(PrunePlan<Integer> plan) {
        return plan.decisions().stream().collect(Collectors.toMap(PruneDecision::item, PruneDecision::mark));
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void somethingIsKeptWhenKeepLastIsAtLeastOne(long seed) {
        Case c = Case.of(seed);
        RetentionPolicy p = c.policy();
        RetentionPolicy withLast = new RetentionPolicy(Math.max(1, p.keepLast()), p.keepHourly(), p.keepDaily(),
                p.keepWeekly(), p.keepMonthly(), p.keepYearly());

        PrunePlan<Integer> plan = withLast.planCandidates(c.history(), c.zone());

        assertThat(plan.decisions()).hasSameSizeAs(c.history());
        if (!c.history().isEmpty()) {
            assertThat(plan.kept()).isNotEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void pruningTheKeptBackupsAgainRemovesNothing(long seed) {
        Case c = Case.of(seed);
        PrunePlan<Integer> first = c.policy().planCandidates(c.history(), c.zone());
        Set<Integer> kept = new HashSet<>(first.kept());
        List<PruneCandidate<Integer>> survivors = c.history().stream().filter(k -> kept.contains(k.item())).toList();

        PrunePlan<Integer> second = c.policy().planCandidates(survivors, c.zone());

        assertThat(second.removed()).isEmpty();
        // and every survivor is kept for the same reason
        Map<Integer, PruneMark> before = marks(first);
        before.keySet().retainAll(kept);
        assertThat(marks(second)).isEqualTo(before);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void theOrderOfTheInputDoesNotMatter(long seed) {
        Case c = Case.of(seed);
        List<PruneCandidate<Integer>> shuffled = new ArrayList<>(c.history());
        Collections.shuffle(shuffled, c.random());

        assertThat(c.policy().planCandidates(shuffled, c.zone()))
                .isEqualTo(c.policy().planCandidates(c.history(), c.zone()));
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void eachRuleKeepsAtMostItsCountOfDistinctPeriods(long seed) {
        Case c = Case.of(seed);
        PrunePlan<Integer> plan = c.policy().planCandidates(c.history(), c.zone());

        for (RetentionRule rule : RetentionRule.values()) {
            List<PruneDecision<Integer>> byRule = plan.decisions().stream()
                    .filter(d -> d.mark() == PruneMark.of(rule)).toList();
            assertThat(byRule.size()).as(rule.option()).isLessThanOrEqualTo(c.policy().count(rule));
            assertThat(byRule.stream().map(PruneDecision::period).distinct()).hasSameSizeAs(byRule);
            assertThat(byRule).extracting(PruneDecision::rank)
                    .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, byRule.size()).boxed().toList());
        }
    }

    /*
     * Raising a count never removes a kept backup as long as no later rule is active. With a later
     * rule active it can: PbsPruneExamplesTest#keepMonthlyDoesNotSeeBackupsOfAWeekKeepWeeklyCovered.
     */
    @ParameterizedTest
    @MethodSource("seeds")
    void raisingTheLastActiveRuleNeverRemovesAKeptBackup(long seed) {
        Case c = Case.of(seed);
        RetentionPolicy p = c.policy();
        int[] counts = new int[6];
        for (RetentionRule rule : RetentionRule.values()) {
            counts[rule.ordinal()] = p.count(rule);
        }
        int last = 5;
        while (last > 0 && counts[last] == 0) {
            last--;
        }
        // any rule from the last active one on: raising it (or switching on one after it)
        int raised = c.random().nextInt(last, 6);
        counts[raised] += c.random().nextInt(1, 5);
        RetentionPolicy more = new RetentionPolicy(counts[0], counts[1], counts[2], counts[3], counts[4], counts[5]);
        if (p.keepsAll()) {
            return; // keep-all keeps more than any count
        }

        Set<Integer> keptBefore = new HashSet<>(p.planCandidates(c.history(), c.zone()).kept());
        Set<Integer> keptAfter = new HashSet<>(more.planCandidates(c.history(), c.zone()).kept());

        assertThat(keptAfter).containsAll(keptBefore);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void protectedAndIncompleteBackupsFollowPbs(long seed) {
        Case c = Case.of(seed);
        PrunePlan<Integer> plan = c.policy().planCandidates(c.history(), c.zone());
        Map<Integer, PruneCandidate<Integer>> byItem = c.history().stream()
                .collect(Collectors.toMap(PruneCandidate::item, Function.identity()));

        Instant newestComplete = c.history().stream().filter(PruneCandidate::complete).map(PruneCandidate::time)
                .max(Instant::compareTo).orElse(Instant.MIN);
        for (PruneDecision<Integer> d : plan.decisions()) {
            PruneCandidate<Integer> candidate = byItem.get(d.item());
            if (candidate.isProtected()) {
                assertThat(d.mark()).isEqualTo(PruneMark.PROTECTED);
            } else if (!candidate.complete() && !c.policy().keepsAll()) {
                assertThat(d.mark()).isIn(PruneMark.KEEP_PARTIAL, PruneMark.REMOVE);
            }
            if (d.mark() == PruneMark.KEEP_PARTIAL) {
                assertThat(d.time()).isAfter(newestComplete);
            }
        }
        assertThat(plan.decisions()).filteredOn(d -> d.mark() == PruneMark.KEEP_PARTIAL).hasSizeLessThanOrEqualTo(1);
    }

    /*
     * With counts larger than the history, hourly, daily and weekly keep exactly one backup per
     * local hour, day and ISO week: counted here with other java.time fields than the rules use.
     */
    @ParameterizedTest
    @MethodSource("seeds")
    void periodsFollowLocalTimeInEveryZone(long seed) {
        Case c = Case.of(seed);
        List<PruneCandidate<Integer>> complete = c.history().stream()
                .map(k -> PruneCandidate.of(k.item(), k.time())).toList();
        int many = complete.size() + 1;
        Map<RetentionRule, Function<LocalDateTime, Object>> keys = new HashMap<>();
        keys.put(RetentionRule.HOURLY, t -> t.truncatedTo(ChronoUnit.HOURS));
        keys.put(RetentionRule.DAILY, LocalDateTime::toLocalDate);
        keys.put(RetentionRule.WEEKLY, t -> List.of(t.get(WeekFields.ISO.weekBasedYear()),
                t.get(WeekFields.ISO.weekOfWeekBasedYear())));

        for (Map.Entry<RetentionRule, Function<LocalDateTime, Object>> e : keys.entrySet()) {
            int[] counts = new int[6];
            counts[e.getKey().ordinal()] = many;
            RetentionPolicy only = new RetentionPolicy(counts[0], counts[1], counts[2], counts[3], counts[4], counts[5]);
            long periods = complete.stream()
                    .map(k -> e.getValue().apply(LocalDateTime.ofInstant(k.time(), c.zone()))).distinct().count();

            assertThat(only.planCandidates(complete, c.zone()).kept()).as(e.getKey().option()).hasSize((int) periods);
        }
    }
}
