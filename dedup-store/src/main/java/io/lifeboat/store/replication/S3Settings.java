package io.lifeboat.store.replication;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how to reach the bucket. Immutable; the appliance binds it from its configuration.
 *
 * @param endpoint           an S3-compatible server (MinIO, Ceph RGW, S3Proxy), or null for AWS S3
 * @param region             the signing region ({@code us-east-1} for most S3-compatible servers)
 * @param bucket             the bucket; it must exist (Lifeboat never creates or deletes buckets)
 * @param accessKey          with {@code secretKey}: explicit credentials; null: the SDK's default chain
 *                           (environment, system properties, profile, container/instance role)
 * @param secretKey          see {@code accessKey}
 * @param pathStyle          path-style URLs ({@code endpoint/bucket/key}), which S3-compatible servers need
 * @param multipartThreshold objects larger than this are uploaded in parts
 * @param partSize           bytes per part (S3 requires at least 5 MiB for all parts but the last)
 * @param maxAttempts        attempts per request, retried with exponential backoff and full jitter
 *                           on 5xx, throttling and connection errors
 * @param bytesPerSecond     upload bandwidth limit across all uploads of one target; 0 = unlimited
 * @param attemptTimeout     how long one attempt of one request may take before it is abandoned and
 *                           retried (a server that accepts a request and never answers must not hang
 *                           a replication); null = {@link #effectiveAttemptTimeout() derived} from the
 *                           largest request body and the bandwidth limit
 * @param compatibility      how uploads are encoded for the server ({@link S3Compatibility}; auto: probed)
 * @param listPageSize       keys asked for per LIST request (S3's maximum and default: 1000)
 */
public record S3Settings(URI endpoint, String region, String bucket, String accessKey, String secretKey,
                         boolean pathStyle, long multipartThreshold, long partSize, int maxAttempts,
                         long bytesPerSecond, Duration attemptTimeout, S3Compatibility compatibility,
                         int listPageSize) {
    public static final long MIN_PART_SIZE = 5L << 20;
    public static final Duration BACKOFF_BASE = Duration.ofMillis(200);
    public static final Duration BACKOFF_MAX = Duration.ofSeconds(20);
    /** The shortest derived attempt timeout: a small request that takes longer is stuck, not slow. */
    public static final Duration MIN_ATTEMPT_TIMEOUT = Duration.ofSeconds(30);
    /** The slowest upload rate the derived attempt timeout still lets a whole request body through at. */
    public static final long SLOWEST_RATE = 256L << 10;

    public S3Settings {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(bucket, "bucket");
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException("give both an access key and a secret key, or neither (to use the default credential chain)");
        }
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("part size must be at least 5 MiB, got " + partSize);
        }
        if (multipartThreshold < partSize) {
            throw new IllegalArgumentException("multipart threshold must be at least the part size");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("max attempts must be at least 1");
        }
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bandwidth limit must not be negative");
        }
        if (attemptTimeout != null && (attemptTimeout.isNegative() || attemptTimeout.isZero())) {
            throw new IllegalArgumentException("attempt timeout must be positive, got " + attemptTimeout);
        }
        Objects.requireNonNull(compatibility, "compatibility");
        compatibility.checkFor(endpoint);
        if (listPageSize < 1 || listPageSize > 1000) {
            throw new IllegalArgumentException("list page size must be 1 to 1000, got " + listPageSize);
        }
    }

    /** An S3-compatible server with explicit credentials and path-style access; packs above 16 MiB go in 8 MiB parts. */
    public static S3Settings compatible(URI endpoint, String bucket, String accessKey, String secretKey) {
        return of(endpoint, "us-east-1", bucket, accessKey, secretKey);
    }

    /**
     * With an endpoint, an S3-compatible server addressed path-style; without one, AWS S3. Null
     * keys mean the SDK's default credential chain. Defaults for the rest: packs above 16 MiB in
     * 8 MiB parts, 6 attempts, no bandwidth limit, upload encoding probed, 1000 keys per listing page.
     */
    public static S3Settings of(URI endpoint, String region, String bucket, String accessKey, String secretKey) {
        return new S3Settings(endpoint, region, bucket, accessKey, secretKey, endpoint != null, 16L << 20, 8L << 20, 6, 0, null,
                S3Compatibility.AUTO, 1000);
    }

    /**
     * As {@link #of}, the way the command-line tools take it: without an access key, the AWS SDK's
     * default credential chain; with one, the secret key given, else {@code $LIFEBOAT_S3_SECRET_KEY}
     * (so that it need not appear in a process listing).
     */
    public static S3Settings fromCommandLine(URI endpoint, String region, String bucket, String accessKey, String secretKey) {
        String secret = secretKey != null ? secretKey : System.getenv("LIFEBOAT_S3_SECRET_KEY");
        return of(endpoint, region, bucket, accessKey, accessKey == null ? null : secret);
    }

    public S3Settings withMultipart(long threshold, long part) {
        return new S3Settings(endpoint, region, bucket, accessKey, secretKey, pathStyle, threshold, part, maxAttempts, bytesPerSecond, attemptTimeout, compatibility, listPageSize);
    }

    public S3Settings withBandwidth(long limit) {
        return new S3Settings(endpoint, region, bucket, accessKey, secretKey, pathStyle, multipartThreshold, partSize, maxAttempts, limit, attemptTimeout, compatibility, listPageSize);
    }

    public S3Settings withCredentials(String access, String secret) {
        return new S3Settings(endpoint, region, bucket, access, secret, pathStyle, multipartThreshold, partSize, maxAttempts, bytesPerSecond, attemptTimeout, compatibility, listPageSize);
    }

    public S3Settings withBucket(String name) {
        return new S3Settings(endpoint, region, name, accessKey, secretKey, pathStyle, multipartThreshold, partSize, maxAttempts, bytesPerSecond, attemptTimeout, compatibility, listPageSize);
    }

    public S3Settings withMaxAttempts(int attempts) {
        return new S3Settings(endpoint, region, bucket, accessKey, secretKey, pathStyle, multipartThreshold, partSize, attempts, bytesPerSecond, attemptTimeout, compatibility, listPageSize);
    }

    public S3Settings withEndpoint(URI uri) {
        return new S3Settings(uri, region, bucket, accessKey, secretKey, pathStyle, multipartThreshold, partSize, maxAttempts, bytesPerSecond, attemptTimeout, compatibility, listPageSize);
    }

    /** {@code timeout} for every attempt; null to derive it ({@link #effectiveAttemptTimeout()}). */
    public S3Settings withAttemptTimeout(Duration timeout) {
        return new S3Settings(endpoint, region, bucket, accessKey, secretKey, pathStyle, multipartThreshold, partSize, maxAttempts, bytesPerSecond, timeout, compatibility, listPageSize);
    }

    /**
     * The attempt timeout in force: the one given, else long enough for the largest request body
     * (a single PUT of up to the multipart threshold) to go at {@link #SLOWEST_RATE} or at the
     * bandwidth limit if that is lower, and never below {@link #MIN_ATTEMPT_TIMEOUT}. With the
     * defaults (16 MiB threshold, no limit) that is 64 s.
     */
    public Duration effectiveAttemptTimeout() {
        if (attemptTimeout != null) {
            return attemptTimeout;
        }
        long rate = bytesPerSecond > 0 ? Math.min(bytesPerSecond, SLOWEST_RATE) : SLOWEST_RATE;
        Duration body = Duration.ofMillis(Math.multiplyExact(multipartThreshold, 1000L) / rate);
        return body.compareTo(MIN_ATTEMPT_TIMEOUT) > 0 ? body : MIN_ATTEMPT_TIMEOUT;
    }

    public S3Settings withCompatibility(S3Compatibility c) {
        return new S3Settings(endpoint, region, bucket, accessKey, secretKey, pathStyle, multipartThreshold, partSize, maxAttempts, bytesPerSecond, attemptTimeout, c, listPageSize);
    }

    public S3Settings withListPageSize(int keys) {
        return new S3Settings(endpoint, region, bucket, accessKey, secretKey, pathStyle, multipartThreshold, partSize, maxAttempts, bytesPerSecond, attemptTimeout, compatibility, keys);
    }

    /** For messages: the endpoint (or "AWS S3") and bucket. */
    public String where() {
        return "bucket '" + bucket + "' at " + (endpoint == null ? "AWS S3 (" + region + ")" : endpoint);
    }

    @Override
    public String toString() {
        // never the secret
        return "S3Settings[" + where() + ", accessKey=" + accessKey + "]";
    }
}
