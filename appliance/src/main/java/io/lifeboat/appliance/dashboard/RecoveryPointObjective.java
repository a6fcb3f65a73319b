package io.lifeboat.appliance.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;

import io.lifeboat.scheduler.policy.BackupPolicy;

/**
 * A policy's recovery point objective, read from its backup schedule: the longest interval between
 * two consecutive fire times among the next {@value #FIRE_TIMES}. The longest, not the next one,
 * so a schedule with gaps (weekdays only, office hours) is judged by its longest gap and does not
 * turn a VM CRITICAL every weekend.
 */
final class RecoveryPointObjective {

    static final int FIRE_TIMES = 50;

    private RecoveryPointObjective() {
    }

    /** In seconds; null for a schedule that fires fewer than twice more. */
    static Long seconds(BackupPolicy policy, Instant now) {
        List<ZonedDateTime> next = policy.nextFireTimes(FIRE_TIMES, now);
        long longest = -1;
        for (int i = 1; i < next.size(); i++) {
            longest = Math.max(longest, Duration.between(next.get(i - 1), next.get(i)).toSeconds());
        }
        return longest < 0 ? null : longest;
    }
}
