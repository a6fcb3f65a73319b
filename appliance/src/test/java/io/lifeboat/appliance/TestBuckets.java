package io.lifeboat.appliance;

import java.io.IOException;
import java.net.URI;

import io.lifeboat.store.replication.S3Settings;
import io.lifeboat.testkit.s3.S3Endpoint;
import io.lifeboat.testkit.s3.S3ProxyServer;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * An S3Proxy bucket registered as the replication target of the appliance under test, and the
 * store's settings for a test server's bucket, to read what the appliance wrote there.
 */
public final class TestBuckets {

    private TestBuckets() {
    }

    /**
     * Starts S3Proxy with {@code bucket} and points the appliance at it with {@code secret} as the
     * secret key (S3Proxy's own, {@link S3ProxyServer#CREDENTIAL}, or a wrong one). The caller closes it.
     */
    public static S3ProxyServer replicateTo(DynamicPropertyRegistry registry, String bucket, String secret)
            throws IOException, InterruptedException {
        S3ProxyServer s3 = S3ProxyServer.start(TestDirectories.removedAtExit("lifeboat-s3"), bucket);
        register(registry, s3.endpoint(), bucket, secret);
        return s3;
    }

    /** Points the appliance at {@code bucket} behind {@code endpoint} (S3Proxy, or a proxy in front of it). */
    public static void register(DynamicPropertyRegistry registry, URI endpoint, String bucket, String secret) {
        registry.add("lifeboat.replication.endpoint", endpoint::toString);
        registry.add("lifeboat.replication.bucket", () -> bucket);
        registry.add("lifeboat.replication.access-key", () -> S3ProxyServer.IDENTITY);
        registry.add("lifeboat.replication.secret-key", () -> secret);
    }

    /** The store's settings for {@code bucket} on a test server: its region and key pair, 3 attempts. */
    public static S3Settings settings(S3Endpoint server, String bucket) {
        return S3Settings.of(server.endpoint(), server.region(), bucket, server.accessKey(), server.secretKey()).withMaxAttempts(3);
    }
}
