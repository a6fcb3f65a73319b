package io.lifeboat.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class CronScheduleTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static List<String> times(List<ZonedDateTime> fireTimes) {
        return fireTimes.stream().map(ZonedDateTime::toOffsetDateTime).map(Object::toString).toList();
    }

    @Test
    void firesInItsZone() {
        Instant from = Instant.parse("2026-11-27T00:00:00Z");
        assertThat(times(new CronSchedule("0 30 22 ? * MON-FRI", BERLIN).nextFireTimes(3, from)))
                .containsExactly("2026-11-27T22:30+01:00", "2026-11-30T22:30+01:00", "2026-12-01T22:30+01:00");
        assertThat(times(new CronSchedule("0 30 22 ? * MON-FRI", ZoneId.of("America/New_York")).nextFireTimes(1, from)))
                .containsExactly("2026-11-26T22:30-05:00"); // 00:00Z is still the 26th, 19:00, in New York
    }

    @Test
    void fireTimesAreStrictlyAfterFrom() {
        Instant exactlyAFireTime = ZonedDateTime.of(2026, 11, 27, 22, 30, 0, 0, BERLIN).toInstant();
        assertThat(times(new CronSchedule("0 30 22 * * ?", BERLIN).nextFireTimes(1, exactlyAFireTime)))
                .containsExactly("2026-11-28T22:30+01:00");
    }

    /*
     * Summer time starts in Berlin on 2026-03-29: 02:00 CET jumps to 03:00 CEST, so 02:30 does
     * not exist that day and Quartz does not fire a 02:30 schedule at all (it does not move it).
     */
    @Test
    void aTimeSkippedWhenSummerTimeStartsDoesNotFireThatDay() {
        List<ZonedDateTime> fires = new CronSchedule("0 30 2 * * ?", BERLIN)
                .nextFireTimes(3, Instant.parse("2026-03-27T12:00:00Z"));

        assertThat(times(fires)).containsExactly(
                "2026-03-28T02:30+01:00", "2026-03-30T02:30+02:00", "2026-03-31T02:30+02:00");
    }

    /*
     * Summer time ends in Berlin on 2026-10-25: 03:00 CEST goes back to 02:00 CET, so 02:00-02:59
     * happens twice. Quartz fires a wall-clock time once, at its second (CET) occurrence.
     */
    @Test
    void aRepeatedTimeWhenSummerTimeEndsFiresOnce() {
        List<ZonedDateTime> fires = new CronSchedule("0 0/30 1-3 * * ?", BERLIN)
                .nextFireTimes(6, Instant.parse("2026-10-24T12:00:00Z"));

        assertThat(times(fires)).containsExactly("2026-10-25T01:00+02:00", "2026-10-25T01:30+02:00",
                "2026-10-25T02:00+01:00", "2026-10-25T02:30+01:00", "2026-10-25T03:00+01:00", "2026-10-25T03:30+01:00");
    }

    @Test
    void aScheduleThatEndsGivesFewerTimes() {
        assertThat(new CronSchedule("0 0 12 1 1 ? 2027", BERLIN).nextFireTimes(5, Instant.parse("2026-11-27T00:00:00Z")))
                .hasSize(1);
        assertThat(new CronSchedule("0 0 12 * * ?", BERLIN).nextFireTimes(0, Instant.EPOCH)).isEmpty();
    }

    @Test
    void refusesWhatQuartzRefusesWithQuartzsReason() {
        assertThatThrownBy(() -> new CronSchedule("0 0 25 * * ?", BERLIN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid cron expression '0 0 25 * * ?': Hour values must be between 0 and 23");
        // a Unix 5-field cron is not a Quartz cron
        assertThat(CronSchedule.problemWith("* * * * *")).contains(
                "invalid cron expression '* * * * *': Unexpected end of expression.");
        assertThat(CronSchedule.problemWith(" ")).contains("a cron expression is required");
        assertThatThrownBy(() -> new CronSchedule("0 0 2 * * ?", BERLIN).nextFireTimes(-1, Instant.EPOCH))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }
}
