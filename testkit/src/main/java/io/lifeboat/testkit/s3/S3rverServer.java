package io.lifeboat.testkit.s3;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real s3rver (the npm package, a fake S3 server for Node) on a free loopback port.
 * {@code scripts/host-setup.sh --test-servers} installs it in {@link #DEFAULT_PREFIX}; the system property
 * {@code lifeboat.s3rver} or the environment variable {@code LIFEBOAT_S3RVER} names another npm
 * prefix (the directory holding {@code node_modules/s3rver}). s3rver knows one access key,
 * S3RVER, and does not verify V4 signatures, so any secret key is taken with it.
 */
public final class S3rverServer extends ProcessS3Server {
    public static final Path DEFAULT_PREFIX = Path.of("/opt/lifeboat-test/s3rver");
    public static final String ACCESS_KEY = "S3RVER";
    public static final String SECRET_KEY = "S3RVER";

    private S3rverServer(ServerProcess process, String version) {
        super(process, "s3rver", version, ACCESS_KEY, SECRET_KEY);
    }

    /** Starts s3rver with its data under {@code dir} and one bucket per name given. */
    public static S3rverServer start(Path dir, String... buckets) throws IOException, InterruptedException {
        Path pkg = prefix().resolve("node_modules").resolve("s3rver");
        Path script = pkg.resolve("bin").resolve("s3rver.js");
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("s3rver is not installed: " + script + " is missing. Run scripts/host-setup.sh --test-servers"
                    + " (as root; it installs s3rver in " + DEFAULT_PREFIX + "), or point -Dlifeboat.s3rver= or"
                    + " $LIFEBOAT_S3RVER at the npm prefix that holds node_modules/s3rver");
        }
        Path node = onPath("node");
        int port = ServerProcess.freePort();
        List<String> command = new ArrayList<>(List.of(node.toString(),
                // s3rver makes ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 17
                // and later) only has in its legacy provider: without it every truncated listing is a 500.
                "--openssl-legacy-provider",
                script.toString(),
                "--directory", Files.createDirectories(dir.resolve("s3rver-data")).toString(),
                "--address", "127.0.0.1", "--port", Integer.toString(port)));
        for (String b : buckets) {
            command.add("--configure-bucket");
            command.add(b);
        }
        String version = packageVersion(pkg.resolve("package.json"));
        return new S3rverServer(ServerProcess.start("s3rver", command, dir.resolve("s3rver.log"), port), version);
    }

    private static Path prefix() {
        String p = System.getProperty("lifeboat.s3rver", System.getenv("LIFEBOAT_S3RVER"));
        return p == null || p.isBlank() ? DEFAULT_PREFIX : Path.of(p);
    }

    private static Path onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String d : path.split(File.pathSeparator)) {
            Path p = Path.of(d.isEmpty() ? "." : d, command);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IllegalStateException(command + " is not on the PATH (" + path + "): run scripts/host-setup.sh --test-servers (as root),"
                + " which installs Node.js and s3rver");
    }

    private static String packageVersion(Path packageJson) throws IOException {
        Matcher m = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"").matcher(Files.readString(packageJson));
        if (!m.find()) {
            throw new IOException(packageJson + " names no version");
        }
        return m.group(1);
    }
}
