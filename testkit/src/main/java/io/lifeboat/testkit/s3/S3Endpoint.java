package io.lifeboat.testkit.s3;

import java.net.URI;

/**
 * Where an S3 test server listens and the key pair it takes: what a module's tests turn into
 * their own client settings (dedup-store's {@code TestS3}, the appliance's {@code TestBuckets}).
 */
public interface S3Endpoint {
    /** Where it listens: {@code http://127.0.0.1:<port>}, addressed path-style. */
    URI endpoint();

    /** The signing region it takes: {@code us-east-1}, as most S3-compatible servers. */
    default String region() {
        return "us-east-1";
    }

    String accessKey();

    String secretKey();
}
