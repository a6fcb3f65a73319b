package io.lifeboat.appliance;

import java.io.IOException;
import java.net.URI;

import io.lifeboat.store.replication.S3ProxyServer;
import org.springframework.test.context.DynamicPropertyRegistry;

/** An S3Proxy bucket registered as the replication target of the appliance under test. */
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
}
