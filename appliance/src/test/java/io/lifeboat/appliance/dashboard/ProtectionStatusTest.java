package io.lifeboat.appliance.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

import io.lifeboat.scheduler.policy.BackupPolicy;
import io.lifeboat.scheduler.policy.ConcurrencyLimits;
import io.lifeboat.scheduler.policy.MisfireRule;
import io.lifeboat.scheduler.policy.RetrySettings;
import io.lifeboat.scheduler.policy.VmSelection;
import io.lifeboat.scheduler.retention.RetentionPolicy;
import org.junit.jupiter.api.Test;

class ProtectionStatusTest {

    static final long HOUR = 3600;

    @Test
    void withinOneRpoIsOkBetweenOneAndTwoIsAWarningBeyondTwoIsCritical() {
        assertThat(ProtectionStatus.of(true, HOUR, 0L, false)).isEqualTo(ProtectionStatus.OK);
        assertThat(ProtectionStatus.of(true, HOUR, HOUR, false)).isEqualTo(ProtectionStatus.OK);
        assertThat(ProtectionStatus.of(true, HOUR, HOUR + 1, false)).isEqualTo(ProtectionStatus.WARNING);
        assertThat(ProtectionStatus.of(true, HOUR, 2 * HOUR, false)).isEqualTo(ProtectionStatus.WARNING);
        assertThat(ProtectionStatus.of(true, HOUR, 2 * HOUR + 1, false)).isEqualTo(ProtectionStatus.CRITICAL);
    }

    @Test
    void aFailedLastAttemptIsAWarningEvenWithAFreshRestorePointButNeverHidesCritical() {
        assertThat(ProtectionStatus.of(true, HOUR, 60L, true)).isEqualTo(ProtectionStatus.WARNING);
        assertThat(ProtectionStatus.of(true, HOUR, 3 * HOUR, true)).isEqualTo(ProtectionStatus.CRITICAL);
    }

    @Test
    void protectedWithoutARestorePointIsCriticalAndWithoutAPolicyIsNone() {
        assertThat(ProtectionStatus.of(true, HOUR, null, false)).isEqualTo(ProtectionStatus.CRITICAL);
        assertThat(ProtectionStatus.of(false, null, null, false)).isEqualTo(ProtectionStatus.NONE);
        assertThat(ProtectionStatus.of(false, null, 10 * HOUR, true)).isEqualTo(ProtectionStatus.NONE);
        assertThat(ProtectionStatus.of(true, null, 10 * HOUR, false)).isEqualTo(ProtectionStatus.OK);
    }

    @Test
    void theRpoIsTheLongestGapBetweenFireTimesNotTheNextOne() {
        Instant monday = Instant.parse("2026-12-07T10:00:00Z");
        assertThat(RecoveryPointObjective.seconds(policy("0 0 * * * ?"), monday)).isEqualTo(HOUR);
        // weekdays at 22:00: Friday to Monday is the longest gap, three days
        assertThat(RecoveryPointObjective.seconds(policy("0 0 22 ? * MON-FRI"), monday)).isEqualTo(72 * HOUR);
        // a schedule that fires once more has no interval to judge by
        assertThat(RecoveryPointObjective.seconds(policy("0 0 12 7 12 ? 2026"), monday)).isNull();
    }

    private static BackupPolicy policy(String cron) {
        return new BackupPolicy("p", VmSelection.byNames("vm1"), cron, ZoneId.of("UTC"), Optional.empty(),
                new ConcurrencyLimits(1, 1), RetrySettings.none(), false, RetentionPolicy.keepAll(), Optional.empty(),
                Optional.empty(), MisfireRule.SKIP);
    }
}
