package io.lifeboat.store.replication;

import java.net.URI;

/**
 * An S3-compatible server a test started (S3Proxy, S3Mock, s3rver), in its own process on a
 * loopback port, for tests that run the same checks against each.
 */
public interface S3TestServer extends AutoCloseable {
    /** The implementation, e.g. "S3Proxy". */
    String name();

    /** Its version, as its jar or package gives it. */
    String version();

    /** Where it listens: {@code http://127.0.0.1:<port>}. */
    URI endpoint();

    /** Settings for one of its buckets, with credentials it accepts. */
    S3Settings settings(String bucket);

    /** Stops the server and whatever processes it started. */
    @Override
    void close();
}
