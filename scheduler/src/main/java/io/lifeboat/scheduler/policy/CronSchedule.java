package io.lifeboat.scheduler.policy;

import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TimeZone;
import org.quartz.CronExpression;

/**
 * A Quartz cron expression evaluated in a time zone: six or seven fields, seconds first
 * ({@code 0 30 22 ? * MON-FRI} is 22:30 on weekdays), with {@code ?} in one of day-of-month and
 * day-of-week. It is what the appliance's Quartz triggers will run, so it is validated and
 * evaluated by Quartz's own {@link CronExpression}.
 */
public record CronSchedule(String expression, ZoneId zone) {

    public CronSchedule {
        Objects.requireNonNull(zone, "zone");
        Optional<String> problem = problemWith(expression);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
    }

    /** Quartz's reason this is not a cron expression, if it is not one. */
    public static Optional<String> problemWith(String expression) {
        if (expression == null || expression.isBlank()) {
            return Optional.of("a cron expression is required");
        }
        try {
            CronExpression.validateExpression(expression);
            return Optional.empty();
        } catch (ParseException e) {
            return Optional.of("invalid cron expression '" + expression + "': " + e.getMessage());
        }
    }

    /**
     * The next {@code n} times this schedule fires strictly after {@code from}, in its zone; fewer
     * if it stops firing (a cron with a year field). Quartz decides what happens at DST changes:
     * see docs/policies.md.
     */
    public List<ZonedDateTime> nextFireTimes(int n, Instant from) {
        if (n < 0) {
            throw new IllegalArgumentException("the number of fire times must be 0 or more, was " + n);
        }
        CronExpression cron = parsed();
        List<ZonedDateTime> times = new ArrayList<>(n);
        Date after = Date.from(from);
        while (times.size() < n) {
            Date next = cron.getNextValidTimeAfter(after);
            if (next == null) {
                break;
            }
            times.add(next.toInstant().atZone(zone));
            after = next;
        }
        return times;
    }

    // CronExpression is mutable and not documented as thread-safe: each use gets its own.
    private CronExpression parsed() {
        try {
            CronExpression cron = new CronExpression(expression);
            cron.setTimeZone(TimeZone.getTimeZone(zone));
            return cron;
        } catch (ParseException e) {
            throw new IllegalStateException("validated cron expression no longer parses: " + expression, e);
        }
    }
}
