package io.lifeboat.scheduler.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The examples Proxmox Backup Server documents or tests its prune with, reproduced as they are
 * there. Each test names its source.
 */
class PbsPruneExamplesTest {

    private static final ZoneId UTC = ZoneOffset.UTC;

    private static RetentionPolicy keep(int last, int hourly, int daily, int weekly, int monthly, int yearly) {
        return new RetentionPolicy(last, hourly, daily, weekly, monthly, yearly);
    }

    private static List<Instant> utc(String... times) {
        List<Instant> points = new ArrayList<>();
        for (String t : times) {
            points.add(Instant.parse(t));
        }
        return points;
    }

    private static List<Instant> kept(RetentionPolicy policy, List<Instant> points) {
        return policy.plan(points, UTC).kept();
    }

    private static List<Instant> removed(RetentionPolicy policy, List<Instant> points) {
        return policy.plan(points, UTC).removed();
    }

    // proxmox-backup tests/prune.rs, test_prune_hourly
    @Test
    void pbsTestPruneHourly() {
        List<Instant> points = utc("2019-11-15T09:39:15Z", "2019-11-15T10:49:15Z", "2019-11-15T10:59:15Z",
                "2019-11-15T11:39:15Z", "2019-11-15T11:49:15Z", "2019-11-15T11:59:15Z");

        assertThat(removed(keep(0, 3, 0, 0, 0, 0), points))
                .containsExactlyElementsOf(utc("2019-11-15T10:49:15Z", "2019-11-15T11:39:15Z", "2019-11-15T11:49:15Z"));
        assertThat(kept(keep(0, 2, 0, 0, 0, 0), points))
                .containsExactlyInAnyOrderElementsOf(utc("2019-11-15T10:59:15Z", "2019-11-15T11:59:15Z"));
    }

    // proxmox-backup tests/prune.rs, test_prune_simple2
    @Test
    void pbsTestPruneSimple2() {
        List<Instant> points = utc("2018-11-15T11:59:15Z", "2019-11-15T11:59:15Z", "2019-11-21T11:59:15Z",
                "2019-11-22T11:59:15Z", "2019-11-29T11:59:15Z", "2019-12-01T11:59:15Z", "2019-12-02T11:59:15Z",
                "2019-12-03T11:59:15Z", "2019-12-04T11:59:15Z");

        assertThat(kept(keep(0, 0, 1, 0, 0, 0), points)).containsExactlyInAnyOrderElementsOf(utc("2019-12-04T11:59:15Z"));
        assertThat(kept(keep(1, 0, 1, 0, 0, 0), points))
                .containsExactlyInAnyOrderElementsOf(utc("2019-12-03T11:59:15Z", "2019-12-04T11:59:15Z"));
        assertThat(kept(keep(0, 0, 1, 1, 0, 0), points))
                .containsExactlyInAnyOrderElementsOf(utc("2019-12-01T11:59:15Z", "2019-12-04T11:59:15Z"));
        // 2019-11-29 shares its ISO week with the weekly 2019-12-01, so keep-weekly removes it
        // and keep-monthly takes 2019-11-22 for November.
        assertThat(kept(keep(0, 0, 1, 1, 1, 0), points)).containsExactlyInAnyOrderElementsOf(
                utc("2019-11-22T11:59:15Z", "2019-12-01T11:59:15Z", "2019-12-04T11:59:15Z"));
        assertThat(kept(keep(0, 0, 0, 0, 1, 1), points))
                .containsExactlyInAnyOrderElementsOf(utc("2018-11-15T11:59:15Z", "2019-12-04T11:59:15Z"));
    }

    // proxmox-backup tests/prune.rs, test_prune_simple
    @Test
    void pbsTestPruneSimple() {
        List<Instant> points = utc("2019-12-02T11:59:15Z", "2019-12-03T11:59:15Z", "2019-12-04T11:59:15Z",
                "2019-12-04T12:59:15Z");
        List<Instant> allButNewest = utc("2019-12-02T11:59:15Z", "2019-12-03T11:59:15Z", "2019-12-04T11:59:15Z");

        assertThat(removed(keep(4, 0, 0, 0, 0, 0), points)).isEmpty();
        assertThat(removed(keep(3, 0, 0, 0, 0, 0), points)).containsExactlyElementsOf(utc("2019-12-02T11:59:15Z"));
        assertThat(removed(keep(2, 0, 0, 0, 0, 0), points))
                .containsExactlyElementsOf(utc("2019-12-02T11:59:15Z", "2019-12-03T11:59:15Z"));
        assertThat(removed(keep(1, 0, 0, 0, 0, 0), points)).containsExactlyElementsOf(allButNewest);
        assertThat(removed(keep(2, 0, 2, 0, 0, 0), points)).isEmpty();
        assertThat(removed(keep(0, 0, 3, 0, 0, 0), points)).containsExactlyElementsOf(utc("2019-12-04T11:59:15Z"));
        assertThat(removed(keep(0, 0, 2, 0, 0, 0), points))
                .containsExactlyElementsOf(utc("2019-12-02T11:59:15Z", "2019-12-04T11:59:15Z"));
        // all within one week, one month, one year: a single backup survives
        assertThat(removed(keep(0, 0, 0, 5, 0, 0), points)).containsExactlyElementsOf(allButNewest);
        assertThat(removed(keep(0, 0, 1, 5, 0, 0), points)).containsExactlyElementsOf(allButNewest);
        assertThat(removed(keep(0, 0, 0, 0, 6, 0), points)).containsExactlyElementsOf(allButNewest);
        assertThat(removed(keep(0, 0, 0, 0, 0, 7), points)).containsExactlyElementsOf(allButNewest);
        assertThat(removed(keep(0, 0, 0, 5, 6, 7), points)).containsExactlyElementsOf(allButNewest);
    }

    /*
     * The one deliberate difference from tests/prune.rs: there, keep_last = Some(0) alone removes
     * everything, because compute_prune_info is called directly. PBS's prune API and prune job
     * check keeps_something() first and keep everything ("No prune selection - keeping all
     * files."), and the prune simulator shows "keep-all": a policy is what the user sees, so we
     * follow the API.
     */
    @Test
    void allCountsZeroKeepsEverythingLikeThePruneApi() {
        List<Instant> points = utc("2019-12-02T11:59:15Z", "2019-12-03T11:59:15Z", "2019-12-04T11:59:15Z");
        PrunePlan<Instant> plan = RetentionPolicy.keepAll().plan(points, UTC);
        assertThat(plan.removed()).isEmpty();
        assertThat(plan.decisions()).extracting(PruneDecision::describe).containsOnly("keep-all");
    }

    /*
     * The prune simulator's opening state (docs/prune-simulator/prune-simulator_source.js):
     * backups every day at 0/6:00 for 15 weeks, keep-last 4, keep-daily 5, keep-weekly 2.
     * "Today" is pinned to Friday 2026-11-27 (ISO week 2026-W48).
     */
    @Test
    void pruneSimulatorDefaults() {
        LocalDate today = LocalDate.of(2026, 11, 27);
        List<Instant> points = new ArrayList<>();
        for (int day = 0; day < 7 * 15; day++) {
            for (int hour : new int[] {0, 6, 12, 18}) {
                points.add(today.minusDays(day).atTime(hour, 0).toInstant(ZoneOffset.UTC));
            }
        }

        PrunePlan<Instant> plan = keep(4, 0, 5, 2, 0, 0).plan(points, UTC);

        Map<String, String> kept = plan.decisions().stream().filter(PruneDecision::keep)
                .collect(Collectors.toMap(d -> d.time().toString(), PruneDecision::describe,
                        (a, b) -> a, java.util.LinkedHashMap::new));
        assertThat(kept).containsExactly(
                Map.entry("2026-11-27T18:00:00Z", "keep-last (2026-11-27T18:00:00Z)"),
                Map.entry("2026-11-27T12:00:00Z", "keep-last (2026-11-27T12:00:00Z)"),
                Map.entry("2026-11-27T06:00:00Z", "keep-last (2026-11-27T06:00:00Z)"),
                Map.entry("2026-11-27T00:00:00Z", "keep-last (2026-11-27T00:00:00Z)"),
                Map.entry("2026-11-26T18:00:00Z", "keep-daily (2026-11-26)"),
                Map.entry("2026-11-25T18:00:00Z", "keep-daily (2026-11-25)"),
                Map.entry("2026-11-24T18:00:00Z", "keep-daily (2026-11-24)"),
                Map.entry("2026-11-23T18:00:00Z", "keep-daily (2026-11-23)"),
                Map.entry("2026-11-22T18:00:00Z", "keep-daily (2026-11-22)"),
                // W48 and W47 (Sunday 2026-11-22) are covered by earlier rules
                Map.entry("2026-11-15T18:00:00Z", "keep-weekly (2026-W46)"),
                Map.entry("2026-11-08T18:00:00Z", "keep-weekly (2026-W45)"));
        assertThat(plan.decisions()).hasSize(420);
        assertThat(plan.decisionFor(Instant.parse("2026-11-08T18:00:00Z")).orElseThrow().rank()).isEqualTo(2);
    }

    /*
     * docs/prune-simulator/documentation.html: "in a week covered by keep-weekly, one backup is
     * kept while all others are removed; keep-monthly then does not consider backups from that
     * week anymore, even if part of the week is part of an earlier month."
     * Week 2026-W44 runs from Monday 2026-10-26 to Sunday 2026-11-01.
     */
    @Test
    void keepMonthlyDoesNotSeeBackupsOfAWeekKeepWeeklyCovered() {
        List<Instant> points = utc("2026-11-01T12:00:00Z", "2026-10-31T12:00:00Z", "2026-10-25T12:00:00Z");

        PrunePlan<Instant> plan = keep(0, 0, 0, 1, 2, 0).plan(points, UTC);

        assertThat(plan.decisions()).extracting(PruneDecision::describe)
                .containsExactly("keep-weekly (2026-W44)", "remove", "keep-monthly (2026-10)");
        // Without keep-weekly, October's monthly backup is the 31st. So raising a count can
        // remove a backup another rule kept before: PBS's rules are not monotone.
        assertThat(keep(0, 0, 0, 0, 2, 0).plan(points, UTC).decisions()).extracting(PruneDecision::describe)
                .containsExactly("keep-monthly (2026-11)", "keep-monthly (2026-10)", "remove");
    }

    /*
     * The admin guide's "Retention Settings Example" (docs/maintenance.rst): daily backups, a
     * 10-year retention, keep-last 3, keep-daily 13, keep-weekly 8, keep-monthly 11,
     * keep-yearly 9. It promises at least two weeks of daily backups, two full months of weekly
     * backups, a year of monthly backups and 10 years of coverage.
     */
    @Test
    void adminGuideRetentionSettingsExample() {
        LocalDate last = LocalDate.of(2026, 11, 27);
        List<Instant> points = new ArrayList<>();
        for (LocalDate d = LocalDate.of(2014, 1, 1); !d.isAfter(last); d = d.plusDays(1)) {
            points.add(d.atTime(LocalTime.of(21, 0)).toInstant(ZoneOffset.UTC));
        }

        PrunePlan<Instant> plan = keep(3, 0, 13, 8, 11, 9).plan(points, UTC);

        Map<PruneMark, Integer> perRule = new EnumMap<>(PruneMark.class);
        plan.decisions().stream().filter(PruneDecision::keep).forEach(d -> perRule.merge(d.mark(), 1, Integer::sum));
        assertThat(perRule).containsExactly(Map.entry(PruneMark.KEEP_LAST, 3), Map.entry(PruneMark.KEEP_DAILY, 13),
                Map.entry(PruneMark.KEEP_WEEKLY, 8), Map.entry(PruneMark.KEEP_MONTHLY, 11),
                Map.entry(PruneMark.KEEP_YEARLY, 9));

        List<LocalDate> keptDays = plan.kept().stream().map(i -> i.atZone(UTC).toLocalDate()).toList();
        // two weeks of daily backups: the newest 16 days are all there
        for (int i = 0; i < 16; i++) {
            assertThat(keptDays).contains(last.minusDays(i));
        }
        // two full months of weekly backups
        for (int week = 0; week < 9; week++) {
            LocalDate from = last.minusWeeks(week + 1);
            LocalDate to = last.minusWeeks(week);
            assertThat(keptDays).anyMatch(d -> d.isAfter(from) && !d.isAfter(to));
        }
        // a year of monthly backups
        for (int month = 0; month < 12; month++) {
            LocalDate m = last.minusMonths(month);
            assertThat(keptDays).anyMatch(d -> d.getYear() == m.getYear() && d.getMonth() == m.getMonth());
        }
        // at least ten years: monthly reaches into 2025, so the nine yearly backups are the last
        // ones (31 December) of 2024 back to 2016
        assertThat(keptDays.stream().map(LocalDate::getYear).distinct()).hasSize(11);
        for (int year = 2016; year <= 2024; year++) {
            assertThat(keptDays).contains(LocalDate.of(year, 12, 31));
        }
        assertThat(keptDays).noneMatch(d -> d.getYear() < 2016);
    }

    /*
     * PBS: "Weeks start on Monday and end on Sunday. The software uses the ISO week date system
     * and handles weeks at the end of the year correctly" (docs/maintenance.rst); prune.rs keys
     * weeks by %G/%V.
     */
    @Test
    void weeksAreIsoWeeksAcrossTheYearEnd() {
        List<Instant> points = utc("2027-01-03T12:00:00Z", "2027-01-01T12:00:00Z", "2026-12-31T12:00:00Z",
                "2026-12-27T12:00:00Z", "2025-01-01T12:00:00Z", "2024-12-30T12:00:00Z", "2024-12-29T12:00:00Z");

        PrunePlan<Instant> plan = keep(0, 0, 0, 9, 0, 0).plan(points, UTC);

        assertThat(plan.decisions()).extracting(PruneDecision::describe).containsExactly(
                "keep-weekly (2026-W53)", "remove", "remove", // Sunday 3 Jan 2027 closes 2026-W53
                "keep-weekly (2026-W52)",
                "keep-weekly (2025-W01)", "remove", // Monday 30 Dec 2024 is in 2025-W01
                "keep-weekly (2024-W52)");
        // keep-yearly uses the calendar year
        assertThat(keep(0, 0, 0, 0, 0, 9).plan(points, UTC).decisions()).extracting(PruneDecision::describe)
                .containsExactly("keep-yearly (2027)", "remove", "keep-yearly (2026)", "remove",
                        "keep-yearly (2025)", "keep-yearly (2024)", "remove");
    }

    // prune.rs: protected snapshots are marked "protected", never removed, never counted.
    @Test
    void protectedBackupsAreKeptAndCountForNoRule() {
        Instant newest = Instant.parse("2026-11-27T20:00:00Z");
        Instant sameDay = Instant.parse("2026-11-27T08:00:00Z");
        Instant dayBefore = Instant.parse("2026-11-26T08:00:00Z");
        List<PruneCandidate<String>> candidates = List.of(
                new PruneCandidate<>("newest", newest, true, true),
                PruneCandidate.of("same-day", sameDay),
                PruneCandidate.of("day-before", dayBefore));

        PrunePlan<String> daily = keep(0, 0, 1, 0, 0, 0).planCandidates(candidates, UTC);
        assertThat(daily.decisions()).extracting(PruneDecision::describe)
                .containsExactly("protected", "keep-daily (2026-11-27)", "remove");

        PrunePlan<String> last = keep(1, 0, 0, 0, 0, 0).planCandidates(candidates, UTC);
        assertThat(last.kept()).containsExactly("newest", "same-day");
    }

    /*
     * prune.rs remove_incomplete_snapshots, and docs/maintenance.rst: "Unfinished and incomplete
     * backups will be removed by the prune command unless they are newer than the last
     * successful backup. In this case, the last failed backup is retained."
     */
    @Test
    void onlyAnIncompleteBackupNewerThanEveryCompleteOneIsKept() {
        List<PruneCandidate<String>> candidates = List.of(
                new PruneCandidate<>("failed-newest", Instant.parse("2026-11-27T20:00:00Z"), false, false),
                new PruneCandidate<>("failed-before", Instant.parse("2026-11-27T19:00:00Z"), false, false),
                PruneCandidate.of("ok", Instant.parse("2026-11-27T18:00:00Z")),
                new PruneCandidate<>("failed-old", Instant.parse("2026-11-27T17:00:00Z"), false, false),
                PruneCandidate.of("ok-old", Instant.parse("2026-11-27T16:00:00Z")));

        PrunePlan<String> plan = keep(2, 0, 0, 0, 0, 0).planCandidates(candidates, UTC);

        assertThat(plan.decisions()).extracting(PruneDecision::describe).containsExactly(
                "keep-partial", "remove", "keep-last (2026-11-27T18:00:00Z)", "remove",
                "keep-last (2026-11-27T16:00:00Z)");
    }

    @Test
    void periodsAreComputedInTheGivenZone() {
        List<Instant> points = utc("2026-11-27T23:30:00Z", "2026-11-27T22:30:00Z", "2026-11-26T12:00:00Z");
        RetentionPolicy twoDays = keep(0, 0, 2, 0, 0, 0);

        assertThat(twoDays.plan(points, UTC).decisions()).extracting(PruneDecision::describe)
                .containsExactly("keep-daily (2026-11-27)", "remove", "keep-daily (2026-11-26)");
        // In Berlin (UTC+1) 23:30Z is already the 28th.
        assertThat(twoDays.plan(points, ZoneId.of("Europe/Berlin")).decisions()).extracting(PruneDecision::describe)
                .containsExactly("keep-daily (2026-11-28)", "keep-daily (2026-11-27)", "remove");
    }

    /*
     * When summer time ends in Berlin (2026-10-25, 03:00 CEST -> 02:00 CET) the hour 02 happens
     * twice. PBS keys hours by the local %Y/%m/%d/%H, so both are one hourly period.
     */
    @Test
    void theRepeatedHourAtTheEndOfSummerTimeIsOneHourlyPeriod() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        Instant cest0230 = ZonedDateTime.of(2026, 10, 25, 2, 30, 0, 0, berlin).withEarlierOffsetAtOverlap().toInstant();
        Instant cet0230 = ZonedDateTime.of(2026, 10, 25, 2, 30, 0, 0, berlin).withLaterOffsetAtOverlap().toInstant();
        Instant cet0330 = ZonedDateTime.of(2026, 10, 25, 3, 30, 0, 0, berlin).toInstant();
        assertThat(cet0230).isEqualTo(cest0230.plusSeconds(3600));
        List<Instant> points = List.of(cest0230, cet0230, cet0330);

        PrunePlan<Instant> plan = keep(0, 3, 0, 0, 0, 0).plan(points, berlin);

        assertThat(plan.decisions()).extracting(PruneDecision::describe).containsExactly(
                "keep-hourly (2026-10-25 03:00)", "keep-hourly (2026-10-25 02:00)", "remove");
        assertThat(keep(0, 3, 0, 0, 0, 0).plan(points, UTC).removed()).isEmpty();
    }

    @Test
    void itemsCarryTheirOwnIdentity() {
        record RestorePoint(String id, Instant takenAt) {
        }
        List<RestorePoint> points = List.of(
                new RestorePoint("web01/b", Instant.parse("2026-11-27T10:00:00Z")),
                new RestorePoint("web01/a", Instant.parse("2026-11-26T10:00:00Z")));

        PrunePlan<RestorePoint> plan = keep(1, 0, 0, 0, 0, 0).plan(points, RestorePoint::takenAt, UTC);

        assertThat(plan.kept()).extracting(RestorePoint::id).containsExactly("web01/b");
        assertThat(plan.removed()).extracting(RestorePoint::id).containsExactly("web01/a");
    }
}
