package io.lifeboat.store.replication;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real S3Proxy (filesystem backend, AWS v2/v4 signatures) in its own JVM on a free loopback
 * port. The jar is put in target/s3proxy/ by the build (maven-dependency-plugin), in every module
 * whose tests use this class (it is shared through dedup-store's test jar).
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String IDENTITY = "lifeboat-test";
    public static final String CREDENTIAL = "lifeboat-test-secret-0123456789";
    private static final Duration START_DEADLINE = Duration.ofSeconds(60);

    private final Process process;
    private final Path baseDir;
    private final URI endpoint;
    private final Path log;

    private S3ProxyServer(Process process, Path baseDir, URI endpoint, Path log) {
        this.process = process;
        this.baseDir = baseDir;
        this.endpoint = endpoint;
        this.log = log;
    }

    /** Starts S3Proxy with data under {@code dir} and one bucket per name given (plain directories). */
    public static S3ProxyServer start(Path dir, String... buckets) throws IOException, InterruptedException {
        Path jar = Path.of("target", "s3proxy", "s3proxy.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the build through Maven (process-test-resources copies it)");
        }
        Path base = Files.createDirectories(dir.resolve("s3-data"));
        for (String b : buckets) {
            Files.createDirectories(base.resolve(b));
        }
        int port = freePort();
        URI endpoint = URI.create("http://127.0.0.1:" + port);
        Path props = dir.resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=" + endpoint,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + IDENTITY,
                "s3proxy.credential=" + CREDENTIAL,
                "jclouds.provider=filesystem",
                "jclouds.identity=" + IDENTITY,
                "jclouds.credential=" + CREDENTIAL,
                "jclouds.filesystem.basedir=" + base,
                ""));
        Path log = dir.resolve("s3proxy.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xmx256m", "-jar", jar.toString(), "--properties", props.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        S3ProxyServer server = new S3ProxyServer(p, base, endpoint, log);
        try {
            server.awaitListening(port);
        } catch (IOException | RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void awaitListening(int port) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("S3Proxy exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IOException("S3Proxy did not listen on port " + port + " within " + START_DEADLINE + ": " + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    /** The file the filesystem backend keeps an object's bytes in. */
    Path objectFile(String bucket, String key) {
        return baseDir.resolve(bucket).resolve(key);
    }

    public S3Settings settings(String bucket) {
        return S3Settings.compatible(endpoint, bucket, IDENTITY, CREDENTIAL).withMaxAttempts(3);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
