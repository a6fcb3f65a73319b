package io.lifeboat.testkit.s3;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Every S3 test server (S3Proxy, S3Mock, s3rver) for a test class, each with the buckets named:
 * <pre>
 * &#64;RegisterExtension static final S3ServersExtension SERVERS = new S3ServersExtension("a", "b");
 *
 * static Stream&lt;Named&lt;S3TestServer&gt;&gt; servers() { return SERVERS.named(); }
 *
 * &#64;ParameterizedTest &#64;MethodSource("servers") void works(S3TestServer server) { ... }
 * </pre>
 * starts them before the class's first test and stops them, removing their data, after the last.
 */
public final class S3ServersExtension implements BeforeAllCallback, AfterAllCallback {
    /** Starts one kind of server with its data under a directory, with the buckets named. */
    @FunctionalInterface
    public interface Starter {
        S3TestServer start(Path dir, String... buckets) throws IOException, InterruptedException;
    }

    /** S3Proxy, S3Mock and s3rver, in that order. */
    public static final List<Starter> ALL = List.of(S3ProxyServer::start, S3MockServer::start, S3rverServer::start);

    private final String[] buckets;
    private final List<S3TestServer> servers = new ArrayList<>();
    private Path dir;

    public S3ServersExtension(String... buckets) {
        this.buckets = buckets.clone();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("lifeboat-s3servers");
        for (int i = 0; i < ALL.size(); i++) {
            // each in its own directory: they would otherwise share config and log file names
            servers.add(ALL.get(i).start(Files.createDirectory(dir.resolve(Integer.toString(i))), buckets));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        for (S3TestServer s : servers) {
            s.close();
        }
        servers.clear();
        ServerProcess.deleteTree(dir);
    }

    /** The running servers, in {@link #ALL}'s order. */
    public List<S3TestServer> servers() {
        return List.copyOf(servers);
    }

    /**
     * The servers, named "S3Proxy 4.1.0" etc., for a {@code @MethodSource}; closing one of these
     * does nothing (JUnit closes AutoCloseable arguments after each invocation of a parameterized
     * test, and the servers outlive the invocation: the extension stops them after the class).
     */
    public Stream<Named<S3TestServer>> named() {
        return servers.stream().map(s -> Named.of(s.name() + " " + s.version(), new Shared(s)));
    }

    /** A server the extension owns: everything but {@link #close()} goes to it. */
    private record Shared(S3TestServer server) implements S3TestServer {
        @Override
        public String name() {
            return server.name();
        }

        @Override
        public String version() {
            return server.version();
        }

        @Override
        public URI endpoint() {
            return server.endpoint();
        }

        @Override
        public String region() {
            return server.region();
        }

        @Override
        public String accessKey() {
            return server.accessKey();
        }

        @Override
        public String secretKey() {
            return server.secretKey();
        }

        @Override
        public void close() {
            // the extension stops it, after the class's last test
        }

        @Override
        public String toString() {
            return server.toString();
        }
    }
}
