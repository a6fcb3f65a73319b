package io.lifeboat.appliance.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** Bad backup settings stop the appliance at start with the property's name. */
class BackupPropertiesTest {

    private static BackupProperties with(Duration progressInterval, int maxConcurrent) {
        return new BackupProperties(0, Duration.ofSeconds(10), Duration.ofSeconds(60), progressInterval, maxConcurrent);
    }

    @Test
    void aBackupLimitBelowOneIsRefused() {
        assertThatThrownBy(() -> with(Duration.ofMillis(500), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("lifeboat.backup.max-concurrent must be 1 or more, was 0");
        assertThat(with(Duration.ofMillis(500), 1).maxConcurrent()).isEqualTo(1);
    }

    @Test
    void aProgressIntervalMustBePositive() {
        assertThatThrownBy(() -> with(Duration.ZERO, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lifeboat.backup.progress-interval");
    }
}
