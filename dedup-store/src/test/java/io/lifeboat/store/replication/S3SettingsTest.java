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

    @Test
    void uploadEncodingIsParsedFromTheSettingsWords() {
        assertThat(S3Compatibility.parse(null, null, null)).isEqualTo(S3Compatibility.AUTO);
        assertThat(S3Compatibility.parse("Signed", "omit", "when-supported"))
                .isEqualTo(new S3Compatibility(S3Compatibility.Payload.SIGNED, S3Compatibility.Sha256Header.OMIT, true));
        assertThat(S3Compatibility.parse("signed", "send", "").describe())
                .isEqualTo("payload=signed sha256-header=send sdk-checksums=when-required");
        assertThatThrownBy(() -> S3Compatibility.parse("chunked", null, null))
                .hasMessage("payload signing must be auto, signed, unsigned or streaming, got 'chunked'");
        assertThatThrownBy(() -> S3Compatibility.parse(null, "yes", null))
                .hasMessage("SHA-256 header must be auto, send or omit, got 'yes'");
        assertThatThrownBy(() -> S3Compatibility.parse(null, null, "always"))
                .hasMessage("SDK checksums must be when-required or when-supported, got 'always'");
    }

    @Test
    void unsignedPayloadsNeedHttps() {
        S3Compatibility unsigned = S3Compatibility.parse("unsigned", null, null);
        assertThatThrownBy(() -> defaults.withCompatibility(unsigned))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsigned payloads need an https endpoint");
        assertThat(S3Settings.compatible(URI.create("https://s3.example"), "b", "k", "s").withCompatibility(unsigned)
                .compatibility()).isEqualTo(unsigned);
    }

    @Test
    void theProbeTriesSignedPayloadsFirstAndUnsignedOnlyOverHttps() {
        assertThat(S3Compatibility.AUTO.candidates(URI.create("http://127.0.0.1:9000"))).extracting(S3Compatibility::describe)
                .containsExactly(
                        "payload=signed sha256-header=send sdk-checksums=when-required",
                        "payload=signed sha256-header=omit sdk-checksums=when-required",
                        "payload=streaming sha256-header=send sdk-checksums=when-required",
                        "payload=streaming sha256-header=omit sdk-checksums=when-required");
        assertThat(S3Compatibility.AUTO.candidates(null)).extracting(c -> c.payload().label())
                .containsExactly("signed", "signed", "unsigned", "unsigned", "streaming", "streaming");
        assertThat(S3Compatibility.parse("streaming", "omit", null).candidates(null)).hasSize(1);
    }

    @Test
    void aListingPageSizeOutsideWhatS3AllowsIsRefused() {
        assertThatThrownBy(() -> defaults.withListPageSize(0)).hasMessageContaining("list page size must be 1 to 1000");
        assertThatThrownBy(() -> defaults.withListPageSize(1001)).hasMessageContaining("list page size must be 1 to 1000");
    }
}
