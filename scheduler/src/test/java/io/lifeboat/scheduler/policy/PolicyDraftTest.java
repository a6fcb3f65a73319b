package io.lifeboat.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.scheduler.retention.RetentionPolicy;
import io.lifeboat.scheduler.retention.RetentionRule;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyDraftTest {

    /** A draft with every field set to something valid; each test breaks one thing. */
    private static PolicyDraft valid() {
        return new PolicyDraft()
                .name("nightly-prod")
                .vmGlobs(List.of("web-*"))
                .vmTags(List.of("prod"))
                .cron("0 30 22 ? * MON-FRI")
                .timeZone("Europe/Berlin")
                .window("22:00", "23:59")
                .maxConcurrent(2, 6)
                .retries(3, "PT10M")
                .replicateAfterBackup(true)
                .keep(RetentionRule.LAST, 3)
                .keep(RetentionRule.DAILY, 13)
                .keep(RetentionRule.WEEKLY, 8)
                .verifyCron("0 0 6 ? * SUN")
                .gcCron("0 0 7 ? * SUN")
                .misfire("skip");
    }

    private static List<Violation> violationsOf(PolicyDraft draft) {
        return draft.violations();
    }

    @Test
    void aValidDraftBecomesThePolicy() {
        BackupPolicy policy = valid().toPolicy();

        assertThat(policy.name()).isEqualTo("nightly-prod");
        assertThat(policy.selection().matches("web-7", Set.of())).isTrue();
        assertThat(policy.selection().matches("mail", Set.of("prod"))).isTrue();
        assertThat(policy.selection().matches("mail", Set.of())).isFalse();
        assertThat(policy.zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(policy.window()).contains(new BackupWindow(LocalTime.of(22, 0), LocalTime.of(23, 59)));
        assertThat(policy.concurrency()).isEqualTo(new ConcurrencyLimits(2, 6));
        assertThat(policy.retries()).isEqualTo(new RetrySettings(3, Duration.ofMinutes(10)));
        assertThat(policy.replicateAfterBackup()).isTrue();
        assertThat(policy.retention()).isEqualTo(new RetentionPolicy(3, 0, 13, 8, 0, 0));
        assertThat(policy.verifySchedule().orElseThrow().expression()).isEqualTo("0 0 6 ? * SUN");
        assertThat(policy.gcCron()).contains("0 0 7 ? * SUN");
        assertThat(policy.misfire()).isEqualTo(MisfireRule.SKIP);
        assertThat(policy.nextFireTimes(2, Instant.parse("2026-11-27T00:00:00Z")))
                .extracting(t -> t.toOffsetDateTime().toString())
                .containsExactly("2026-11-27T22:30+01:00", "2026-11-30T22:30+01:00");
        assertThat(policy.inWindow(Instant.parse("2026-11-27T21:30:00Z"))).isTrue(); // 22:30 in Berlin
        assertThat(policy.inWindow(Instant.parse("2026-11-27T22:59:00Z"))).isFalse(); // 23:59 is the end
    }

    @Test
    void whatIsLeftOutGetsTheDocumentedDefaults() {
        BackupPolicy policy = new PolicyDraft().name("p").vmNames(List.of("vm1")).cron("0 0 1 * * ?")
                .timeZone("UTC").toPolicy();

        assertThat(policy.window()).isEmpty();
        assertThat(policy.inWindow(Instant.parse("2026-11-27T13:00:00Z"))).isTrue();
        assertThat(policy.concurrency()).isEqualTo(new ConcurrencyLimits(1, 4));
        assertThat(policy.retries()).isEqualTo(new RetrySettings(0, Duration.ofMinutes(5)));
        assertThat(policy.replicateAfterBackup()).isFalse();
        assertThat(policy.retention().keepsAll()).isTrue();
        assertThat(policy.verifyCron()).isEmpty();
        assertThat(policy.gcCron()).isEmpty();
        assertThat(policy.misfire()).isEqualTo(MisfireRule.RUN_ONCE_IF_IN_WINDOW);
    }

    @Test
    void names() {
        assertThat(violationsOf(valid().name("nightly prod"))).containsExactly(new Violation("name",
                "'nightly prod' is not a valid name: use 1 to 64 of A-Z a-z 0-9 . _ -"));
        assertThat(violationsOf(valid().name("x".repeat(65)))).extracting(Violation::field).containsExactly("name");
        assertThat(violationsOf(valid().name("x".repeat(64)))).isEmpty();
        assertThat(violationsOf(valid().name("a.b_c-D9"))).isEmpty();
        assertThat(violationsOf(valid().name(""))).containsExactly(new Violation("name", "a name is required"));
        assertThat(violationsOf(valid().name(null))).containsExactly(new Violation("name", "a name is required"));
    }

    @Test
    void anEmptySelection() {
        assertThat(violationsOf(valid().vmGlobs(List.of()).vmTags(null))).containsExactly(
                new Violation("selection", "select at least one VM by name, glob or tag"));
        assertThat(violationsOf(valid().vmGlobs(List.of("web-{a,b")))).containsExactly(
                new Violation("selection.globs", "invalid glob 'web-{a,b': Missing '}"));
    }

    @Test
    void anInvalidCronCarriesQuartzsMessage() {
        assertThat(violationsOf(valid().cron("0 30 22 * * MON-FRI"))).containsExactly(new Violation("cron",
                "invalid cron expression '0 30 22 * * MON-FRI': Support for specifying both a day-of-week AND a"
                        + " day-of-month parameter is not implemented."));
        assertThat(violationsOf(valid().cron(null))).containsExactly(new Violation("cron", "a cron expression is required"));
        assertThat(violationsOf(valid().verifyCron("0 61 * * * ?"))).containsExactly(new Violation("verifyCron",
                "invalid cron expression '0 61 * * * ?': Minute and Second values must be between 0 and 59"));
        assertThat(violationsOf(valid().gcCron("weekly"))).extracting(Violation::field).containsExactly("gcCron");
        assertThat(violationsOf(valid().verifyCron(" ").gcCron(null))).isEmpty(); // blank = none
    }

    @Test
    void anUnknownTimeZone() {
        assertThat(violationsOf(valid().timeZone("Mars/Olympus_Mons"))).containsExactly(new Violation("timeZone",
                "unknown time zone 'Mars/Olympus_Mons': use a region such as Europe/Berlin, or UTC"));
        assertThat(violationsOf(valid().timeZone(null))).containsExactly(new Violation("timeZone",
                "a time zone is required, such as Europe/Berlin or UTC"));
        assertThat(violationsOf(valid().timeZone("UTC+02:00"))).isEmpty();
    }

    @Test
    void windows() {
        assertThat(violationsOf(valid().window("22:00", "02:00"))).containsExactly(new Violation("window",
                "window end 02:00 is before its start 22:00; a window must end on the day it starts"));
        assertThat(violationsOf(valid().window("22:00", "22:00"))).containsExactly(new Violation("window",
                "window start and end are both 22:00; the window is empty"));
        assertThat(violationsOf(valid().window("22h", null))).containsExactly(
                new Violation("window.start", "'22h' is not a time of day (HH:mm)"),
                new Violation("window.end", "is required when a window is given (HH:mm)"));
        assertThat(violationsOf(valid().window(null, null))).isEmpty();
    }

    @Test
    void concurrency() {
        assertThat(violationsOf(valid().maxConcurrent(0, 0))).containsExactly(
                new Violation("maxConcurrentPerHost", "must be 1 or more, was 0"),
                new Violation("maxConcurrentTotal", "must be 1 or more, was 0"));
        assertThat(violationsOf(valid().maxConcurrent(3, 2))).containsExactly(
                new Violation("maxConcurrentPerHost", "must not exceed the overall limit 2, was 3"));
        assertThat(violationsOf(valid().maxConcurrent(1, 1))).isEmpty();
    }

    @Test
    void retries() {
        assertThat(violationsOf(valid().retries(-1, "PT-1S"))).containsExactly(
                new Violation("retries.count", "must be 0 or more, was -1"),
                new Violation("retries.backoff", "must not be negative, was PT-1S"));
        assertThat(violationsOf(valid().retries(1, "10 minutes"))).containsExactly(
                new Violation("retries.backoff", "'10 minutes' is not an ISO-8601 duration such as PT10M"));
        assertThat(violationsOf(valid().retries(0, "PT0S"))).isEmpty();
    }

    @Test
    void negativeRetentionCounts() {
        assertThat(violationsOf(valid().keep(RetentionRule.DAILY, -1).keep(RetentionRule.YEARLY, -3))).containsExactly(
                new Violation("retention.keep-daily", "keep-daily must be 0 or more, was -1"),
                new Violation("retention.keep-yearly", "keep-yearly must be 0 or more, was -3"));
        assertThatThrownBy(() -> new RetentionPolicy(-1, 0, 0, -2, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keep-last must be 0 or more, was -1; keep-weekly must be 0 or more, was -2");
    }

    @Test
    void misfireRules() {
        assertThat(violationsOf(valid().misfire("RUN_ONCE_IF_IN_WINDOW"))).isEmpty();
        assertThat(violationsOf(valid().misfire("later"))).containsExactly(
                new Violation("misfire", "'later' is not one of RUN_ONCE_IF_IN_WINDOW, SKIP"));
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        PolicyDraft draft = new PolicyDraft().name("bad name").cron("0 0 25 * * ?").timeZone("Nowhere/Town")
                .window("23:00", "01:00").maxConcurrent(0, 1).retries(-2, "PT1M")
                .keep(RetentionRule.MONTHLY, -1).gcCron("x").misfire("never");

        assertThatThrownBy(draft::toPolicy).isInstanceOfSatisfying(InvalidPolicyException.class, e ->
                assertThat(e.violations()).extracting(Violation::field).containsExactly("name", "selection", "cron",
                        "timeZone", "window", "maxConcurrentPerHost", "retries.count", "retention.keep-monthly",
                        "gcCron", "misfire"));
        assertThatThrownBy(draft::toPolicy).hasMessageStartingWith(
                "name: 'bad name' is not a valid name: use 1 to 64 of A-Z a-z 0-9 . _ -; selection: select at least");
    }

    @Test
    void aPolicyCannotBeBuiltInvalidWithoutADraftEither() {
        assertThatThrownBy(() -> new BackupPolicy("no spaces please", VmSelection.byNames("vm1"), "nope",
                ZoneId.of("UTC"), Optional.empty(), new ConcurrencyLimits(1, 1), RetrySettings.none(), false,
                RetentionPolicy.keepAll(), Optional.empty(), Optional.of("0 0 0 ? * 8"), MisfireRule.SKIP))
                .isInstanceOfSatisfying(InvalidPolicyException.class, e ->
                        assertThat(e.violations()).extracting(Violation::field).containsExactly("name", "cron", "gcCron"));
        assertThatThrownBy(() -> new BackupWindow(LocalTime.of(6, 0), LocalTime.of(5, 0)))
                .hasMessage("window end 05:00 is before its start 06:00; a window must end on the day it starts");
        assertThatThrownBy(() -> new ConcurrencyLimits(1, 0)).hasMessage("total: must be 1 or more, was 0");
        assertThatThrownBy(() -> new RetrySettings(0, null)).hasMessage("backoff: is required");
    }

    @Test
    void aWindowContainsItsStartButNotItsEnd() {
        BackupWindow window = new BackupWindow(LocalTime.of(1, 0), LocalTime.of(5, 30));
        assertThat(window.contains(LocalTime.of(1, 0))).isTrue();
        assertThat(window.contains(LocalTime.of(5, 29, 59))).isTrue();
        assertThat(window.contains(LocalTime.of(5, 30))).isFalse();
        assertThat(window.contains(LocalTime.of(0, 59))).isFalse();
    }
}
