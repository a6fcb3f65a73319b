package io.lifeboat.store.cli;

import io.lifeboat.cli.Sizes;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.replication.S3Compatibility;
import io.lifeboat.store.replication.S3Settings;
import io.lifeboat.store.replication.S3Target;
import picocli.CommandLine.Option;

import java.net.URI;

/**
 * Where a bucket is: the options of {@code replicate} and {@code mirror}. Credentials come from
 * the options, else from the AWS SDK's default chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY,
 * ~/.aws/credentials, instance roles). An endpoint means an S3-compatible server (S3Proxy, MinIO,
 * Ceph RGW), addressed path-style; without one, AWS S3 itself.
 */
final class BucketOptions {
    @Option(names = "--bucket", required = true, paramLabel = "NAME", description = "The bucket.")
    String bucket;

    @Option(names = "--endpoint", paramLabel = "URL",
            description = "An S3-compatible server, e.g. http://127.0.0.1:9000 (default: AWS S3).")
    URI endpoint;

    @Option(names = "--region", paramLabel = "REGION", defaultValue = "us-east-1",
            description = "Region (default: ${DEFAULT-VALUE}).")
    String region;

    @Option(names = "--access-key", paramLabel = "KEY", description = "Access key (default: the AWS credential chain).")
    String accessKey;

    @Option(names = "--secret-key", paramLabel = "KEY", description = "Secret key; $LIFEBOAT_S3_SECRET_KEY if not given.")
    String secretKey;

    @Option(names = "--bandwidth", paramLabel = "SIZE", description = "Upload limit per second, e.g. 50M (default: none).")
    String bandwidth;

    @Option(names = "--payload-signing", paramLabel = "MODE", defaultValue = "auto",
            description = "How upload bodies are signed: auto (probe the server), signed, unsigned (https only) or "
                    + "streaming (the AWS SDK's aws-chunked encoding) (default: ${DEFAULT-VALUE}).")
    String payloadSigning;

    @Option(names = "--sha256-header", paramLabel = "MODE", defaultValue = "auto",
            description = "Send our x-amz-checksum-sha256 with uploads: auto, send or omit (default: ${DEFAULT-VALUE}).")
    String sha256Header;

    @Option(names = "--sdk-checksums", paramLabel = "WHEN", defaultValue = "when-required",
            description = "The AWS SDK's own CRC checksums: when-required or when-supported (default: ${DEFAULT-VALUE}).")
    String sdkChecksums;

    /** A target for the bucket whose connection has been tested; close it when done. */
    S3Target connect() throws StoreException {
        S3Target target = new S3Target(settings());
        try {
            target.testConnection();
            return target;
        } catch (StoreException | RuntimeException e) {
            target.close();
            throw e;
        }
    }

    S3Settings settings() throws StoreException {
        S3Settings s;
        try {
            s = S3Settings.fromCommandLine(endpoint, region, bucket, accessKey, secretKey)
                    .withCompatibility(S3Compatibility.parse(payloadSigning, sha256Header, sdkChecksums));
        } catch (IllegalArgumentException e) {
            throw new StoreException(StoreException.Kind.BAD_INPUT, e.getMessage());
        }
        return bandwidth == null ? s : s.withBandwidth(Sizes.parse(bandwidth));
    }
}
