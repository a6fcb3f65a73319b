package io.lifeboat.testkit.s3;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link S3ProxyServer} for a test class, with the buckets it names:
 * {@code @RegisterExtension static final S3ProxyExtension server = new S3ProxyExtension("a", "b");}
 * starts it before the class's first test and stops it, removing its data, after the last.
 */
public final class S3ProxyExtension implements S3Endpoint, BeforeAllCallback, AfterAllCallback {
    private final String[] buckets;
    private Path dir;
    private S3ProxyServer server;

    public S3ProxyExtension(String... buckets) {
        this.buckets = buckets.clone();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("lifeboat-s3proxy");
        server = S3ProxyServer.start(dir, buckets);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (server != null) {
            server.close();
        }
        ServerProcess.deleteTree(dir);
    }

    @Override
    public URI endpoint() {
        return server.endpoint();
    }

    @Override
    public String accessKey() {
        return server.accessKey();
    }

    @Override
    public String secretKey() {
        return server.secretKey();
    }

    /** The file the filesystem backend keeps an object's bytes in. */
    public Path objectFile(String bucket, String key) {
        return server.objectFile(bucket, key);
    }
}
