package io.lifeboat.testkit.s3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Adobe S3Mock (Spring Boot, file store) in its own JVM on a free loopback port. Its
 * executable jar (the {@code exec} classifier) is put in the test kit's target/s3mock/ by
 * the build (maven-dependency-plugin), like S3Proxy's. S3Mock checks no credentials: any key pair is taken.
 */
public final class S3MockServer extends ProcessS3Server {
    public static final String ACCESS_KEY = "lifeboat-test";
    public static final String SECRET_KEY = "lifeboat-test-secret-0123456789";

    private S3MockServer(ServerProcess process, String version) {
        super(process, "S3Mock", version, ACCESS_KEY, SECRET_KEY);
    }

    /** Starts S3Mock with its store under {@code dir} and one bucket per name given. */
    public static S3MockServer start(Path dir, String... buckets) throws IOException, InterruptedException {
        Path jar = ServerProcess.serverJar("s3mock", "s3mock.jar");
        int port = ServerProcess.freePort();
        List<String> command = new ArrayList<>(List.of(ServerProcess.java(), "-Xmx512m", "-jar", jar.toString(),
                // Plain HTTP on the main connector, on loopback. S3Mock always adds a second
                // HTTP connector (com.adobe.testing.s3mock.http-port, 9090 by default, on every
                // address, and it cannot be turned off): 0 puts it on a random port, unused.
                "--server.ssl.enabled=false",
                "--server.address=127.0.0.1",
                "--server.port=" + port,
                "--com.adobe.testing.s3mock.http-port=0",
                "--com.adobe.testing.s3mock.store.root=" + Files.createDirectories(dir.resolve("s3mock-data"))));
        if (buckets.length > 0) {
            command.add("--com.adobe.testing.s3mock.store.initial-buckets=" + String.join(",", buckets));
        }
        String version = ServerProcess.jarVersion(jar, "com.adobe.testing", "s3mock");
        return new S3MockServer(ServerProcess.start("S3Mock", command, dir.resolve("s3mock.log"), port), version);
    }
}
