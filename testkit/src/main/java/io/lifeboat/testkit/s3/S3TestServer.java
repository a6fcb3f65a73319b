package io.lifeboat.testkit.s3;

/**
 * An S3-compatible server a test started (S3Proxy, S3Mock, s3rver), in its own process on a
 * loopback port, for tests that run the same checks against each.
 */
public interface S3TestServer extends S3Endpoint, AutoCloseable {
    /** The implementation, e.g. "S3Proxy". */
    String name();

    /** Its version, as its jar or package gives it. */
    String version();

    /** Stops the server and whatever processes it started. */
    @Override
    void close();
}
