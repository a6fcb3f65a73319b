package io.lifeboat.store.replication;

import io.lifeboat.testkit.s3.S3Endpoint;

/** The store's settings for a bucket on an S3 test server (from testkit), with credentials it takes. */
final class TestS3 {
    private TestS3() {
    }

    /** Path-style, the server's region and key pair; 3 attempts, so that a test of a failing request ends soon. */
    static S3Settings settings(S3Endpoint server, String bucket) {
        return S3Settings.of(server.endpoint(), server.region(), bucket, server.accessKey(), server.secretKey()).withMaxAttempts(3);
    }
}
