package io.lifeboat.store.replication;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class S3SettingsTest {
    private final S3Settings defaults = S3Settings.compatible(URI.create("http://127.0.0.1:9000"), "b", "k", "s");

    @Test
    void theAttemptTimeoutLetsTheLargestBodyThroughAtTheSlowestRate() {
        // a 16 MiB PUT at 256 KiB/s
        assertThat(defaults.effectiveAttemptTimeout()).isEqualTo(Duration.ofSeconds(64));
        // a 5 MiB PUT at 256 KiB/s takes 20 s: the minimum applies
        assertThat(defaults.withMultipart(5L << 20, 5L << 20).effectiveAttemptTimeout()).isEqualTo(Duration.ofSeconds(30));
        // a bandwidth limit below the slowest rate stretches it: 16 MiB at 64 KiB/s
        assertThat(defaults.withBandwidth(64L << 10).effectiveAttemptTimeout()).isEqualTo(Duration.ofSeconds(256));
        assertThat(defaults.withBandwidth(100L << 20).effectiveAttemptTimeout()).isEqualTo(Duration.ofSeconds(64));
        assertThat(defaults.withAttemptTimeout(Duration.ofMillis(1500)).effectiveAttemptTimeout()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void aTimeoutThatIsNotPositiveIsRefused() {
        assertThatThrownBy(() -> defaults.withAttemptTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attempt timeout must be positive");
    }
}
