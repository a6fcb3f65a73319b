package io.lifeboat.appliance.jobs;

import io.lifeboat.store.replication.ReplicationOptions;
import io.lifeboat.store.replication.S3Compatibility;
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
 * @param prune       delete from the bucket what this store deleted, after {@code pruneGrace}
 *                    (never what a restore point in the bucket still needs; see docs/replication.md)
 * @param pruneGrace  how long a restore point or pack stays in the bucket after it became unneeded
 * @param concurrency packs uploaded at once
 * @param every       also replicate this long after the previous scheduled run ended, catching up
 *                    whatever a failed or skipped run left behind (0: no schedule)
 * @param payloadSigning how upload bodies are signed: auto (probed at the start of each run and by
 *                    the connection test), signed, unsigned (https only) or streaming (the AWS
 *                    SDK's aws-chunked encoding); see docs/replication.md, "Server compatibility"
 * @param sha256Header send our x-amz-checksum-sha256 with uploads: auto, send or omit
 * @param sdkChecksums the AWS SDK's own CRC checksums: when-required (default) or when-supported
 */
@ConfigurationProperties("lifeboat.replication")
public record ReplicationProperties(URI endpoint,
                                    String bucket,
                                    @DefaultValue("us-east-1") String region,
                                    String accessKey,
                                    String secretKey,
                                    @DefaultValue("true") boolean afterBackup,
                                    @DefaultValue("0") long bandwidth,
                                    @DefaultValue("1h") Duration every,
                                    @DefaultValue("true") boolean prune,
                                    @DefaultValue("24h") Duration pruneGrace,
                                    @DefaultValue("4") int concurrency,
                                    @DefaultValue("auto") String payloadSigning,
                                    @DefaultValue("auto") String sha256Header,
                                    @DefaultValue("when-required") String sdkChecksums) {

    public ReplicationProperties {
        if (every.isNegative()) {
            throw new IllegalArgumentException("lifeboat.replication.every must not be negative, got " + every);
        }
        if (pruneGrace.isNegative()) {
            throw new IllegalArgumentException("lifeboat.replication.prune-grace must not be negative, got " + pruneGrace);
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("lifeboat.replication.concurrency must be at least 1, got " + concurrency);
        }
        try {
            S3Compatibility.parse(payloadSigning, sha256Header, sdkChecksums);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("lifeboat.replication: " + e.getMessage(), e);
        }
    }

    public boolean configured() {
        return bucket != null && !bucket.isBlank();
    }

    public S3Settings settings() {
        return S3Settings.of(endpoint, region, bucket, blankToNull(accessKey), blankToNull(secretKey)).withBandwidth(bandwidth)
                .withCompatibility(compatibility());
    }

    public S3Compatibility compatibility() {
        return S3Compatibility.parse(payloadSigning, sha256Header, sdkChecksums);
    }

    public ReplicationOptions options() {
        return ReplicationOptions.defaults().withConcurrency(concurrency).withPrune(prune).withGrace(pruneGrace);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
