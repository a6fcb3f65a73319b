package io.lifeboat.scheduler.retention;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.IsoFields;

/**
 * The six keep rules, in the order they are applied. Each maps a backup's local time to the
 * period it belongs to; a rule keeps the newest backup of each period it covers.
 *
 * <p>Periods are calendar fields of the local time, exactly like Proxmox Backup Server's
 * {@code strftime} keys ({@code %Y/%m/%d/%H}, {@code %Y/%m/%d}, {@code %G/%V}, {@code %Y/%m},
 * {@code %Y}): an hour repeated when daylight saving time ends is one hourly period, and weeks
 * are ISO weeks of the ISO week-based year (2026-12-31 is in 2026-W53, 2027-01-01 too).
 */
public enum RetentionRule {
    /** Every backup is its own period: keeps the newest N backups. */
    LAST("keep-last") {
        @Override
        String period(ZonedDateTime local) {
            // Like PBS, which keys keep-last by the backup time: equal times are one period.
            return local.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        }
    },
    HOURLY("keep-hourly") {
        @Override
        String period(ZonedDateTime local) {
            return String.format("%s %02d:00", local.toLocalDate(), local.getHour());
        }
    },
    DAILY("keep-daily") {
        @Override
        String period(ZonedDateTime local) {
            return local.toLocalDate().toString();
        }
    },
    WEEKLY("keep-weekly") {
        @Override
        String period(ZonedDateTime local) {
            return String.format("%d-W%02d", local.get(IsoFields.WEEK_BASED_YEAR),
                    local.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
        }
    },
    MONTHLY("keep-monthly") {
        @Override
        String period(ZonedDateTime local) {
            return String.format("%d-%02d", local.getYear(), local.getMonthValue());
        }
    },
    YEARLY("keep-yearly") {
        @Override
        String period(ZonedDateTime local) {
            return Integer.toString(local.getYear());
        }
    };

    private final String option;

    RetentionRule(String option) {
        this.option = option;
    }

    /** The option's name as PBS and our API spell it, e.g. {@code keep-daily}. */
    public String option() {
        return option;
    }

    /** The period label of a backup taken at this local time, e.g. {@code 2026-W48}. */
    abstract String period(ZonedDateTime local);
}
