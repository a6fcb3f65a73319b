package io.lifeboat.testkit.s3;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real S3Proxy (filesystem backend, AWS v2/v4 signatures) in its own JVM on a free loopback
 * port. Its jar is put in the test kit's target/s3proxy/ by the build (maven-dependency-plugin),
 * where {@link ServerProcess#serverJar} finds it for every module's tests.
 */
public final class S3ProxyServer extends ProcessS3Server {
    public static final String IDENTITY = "lifeboat-test";
    public static final String CREDENTIAL = "lifeboat-test-secret-0123456789";

    private final Path baseDir;

    private S3ProxyServer(ServerProcess process, Path baseDir, String version) {
        super(process, "S3Proxy", version, IDENTITY, CREDENTIAL);
        this.baseDir = baseDir;
    }

    /** Starts S3Proxy with data under {@code dir} and one bucket per name given (plain directories). */
    public static S3ProxyServer start(Path dir, String... buckets) throws IOException, InterruptedException {
        Path jar = ServerProcess.serverJar("s3proxy", "s3proxy.jar");
        Path base = Files.createDirectories(dir.resolve("s3-data"));
        for (String b : buckets) {
            Files.createDirectories(base.resolve(b));
        }
        int port = ServerProcess.freePort();
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
        String version = ServerProcess.jarVersion(jar, "org.gaul", "s3proxy");
        ServerProcess process = ServerProcess.start("S3Proxy",
                List.of(ServerProcess.java(), "-Xmx256m", "-jar", jar.toString(), "--properties", props.toString()),
                dir.resolve("s3proxy.log"), port);
        return new S3ProxyServer(process, base, version);
    }

    /** The file the filesystem backend keeps an object's bytes in. */
    public Path objectFile(String bucket, String key) {
        return baseDir.resolve(bucket).resolve(key);
    }
}
