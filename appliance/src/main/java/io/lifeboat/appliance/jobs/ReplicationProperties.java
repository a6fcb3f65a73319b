package io.lifeboat.appliance.jobs;

import io.lifeboat.store.replication.S3Settings;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.net.URI;
import java.time.Duration;

/**
 * Where the store is replicated, bound from {@code lifeboat.replication.*}. Without a bucket there
 * is no replication. With an endpoint the bucket is on an S3-compatible server (S3Proxy, MinIO,
 * Ceph RGW) addressed path-style; without one, on AWS S3. Without keys, the AWS SDK's default
 * credential chain is used.
 *
 * @param afterBackup replicate after each successful backup (besides on demand)
 * @param bandwidth   upload limit in bytes per second (0: none)
 * @param every       also replicate this long after the previous scheduled run ended, catching up
 *                    whatever a failed or skipped run left behind (0: no schedule)
 */
@ConfigurationProperties("lifeboat.replication")
public record ReplicationProperties(URI endpoint,
                                    String bucket,
                                    @DefaultValue("us-east-1") String region,
                                    String accessKey,
                                    String secretKey,
                                    @DefaultValue("true") boolean afterBackup,
                                    @DefaultValue("0") long bandwidth,
                                    @DefaultValue("1h") Duration every) {

    public ReplicationProperties {
        if (every.isNegative()) {
            throw new IllegalArgumentException("lifeboat.replication.every must not be negative, got " + every);
        }
    }

    public boolean configured() {
        return bucket != null && !bucket.isBlank();
    }

    public S3Settings settings() {
        return S3Settings.of(endpoint, region, bucket, blankToNull(accessKey), blankToNull(secretKey)).withBandwidth(bandwidth);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
