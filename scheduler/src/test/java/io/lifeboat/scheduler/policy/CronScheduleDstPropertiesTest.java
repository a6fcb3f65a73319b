package io.lifeboat.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.testkit.Seeds;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A daily schedule over a year in zones with daylight saving time: it fires once on every day,
 * at its local time, except on a day that time does not exist; when it exists twice, Quartz
 * takes the second (later offset).
 */
class CronScheduleDstPropertiesTest {

    private static final List<ZoneId> ZONES = List.of(ZoneId.of("Europe/Berlin"), ZoneId.of("America/New_York"),
            ZoneId.of("Australia/Lord_Howe"), ZoneId.of("America/Santiago"), ZoneId.of("America/Havana"));

    static LongStream seeds() {
        return Seeds.seeds(40);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void aDailyScheduleFiresOncePerLocalDay(long seed) {
        Random r = new Random(seed);
        ZoneId zone = ZONES.get(r.nextInt(ZONES.size()));
        Instant from = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(r.nextLong(0, 365L * 86_400));
        // half the cases fire right at the next DST change: in its gap, or in its repeated hour
        ZoneOffsetTransition next = zone.getRules().nextTransition(from);
        LocalTime at = r.nextBoolean()
                ? (next.isGap() ? next.getDateTimeBefore() : next.getDateTimeAfter()).toLocalTime()
                : LocalTime.of(r.nextInt(24), 15 * r.nextInt(4));
        CronSchedule daily = new CronSchedule("0 " + at.getMinute() + " " + at.getHour() + " * * ?", zone);

        List<ZonedDateTime> fires = daily.nextFireTimes(400, from);

        assertThat(fires).hasSize(400);
        LocalDate expected = from.atZone(zone).toLocalDate();
        if (!LocalDateTime.of(expected, at).atZone(zone).toInstant().isAfter(from)) {
            expected = expected.plusDays(1);
        }
        for (ZonedDateTime fire : fires) {
            // skip the days on which the local time falls into a DST gap
            while (zone.getRules().getValidOffsets(LocalDateTime.of(expected, at)).isEmpty()) {
                expected = expected.plusDays(1);
            }
            LocalDateTime local = LocalDateTime.of(expected, at);
            List<ZoneOffset> offsets = zone.getRules().getValidOffsets(local);
            assertThat(fire.toLocalDateTime()).as("zone %s", zone).isEqualTo(local);
            assertThat(fire.getOffset()).isEqualTo(offsets.get(offsets.size() - 1));
            expected = expected.plusDays(1);
        }
    }
}
