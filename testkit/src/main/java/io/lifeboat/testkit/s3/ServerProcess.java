package io.lifeboat.testkit.s3;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

/**
 * A test server in its own process (S3Proxy, S3Mock, s3rver), with its output in a log file:
 * started on a free loopback port, waited for until it listens, and stopped with everything it
 * started.
 */
public final class ServerProcess implements AutoCloseable {
    /** Names the directory holding s3proxy/s3proxy.jar and s3mock/s3mock.jar, instead of the test kit's target/. */
    public static final String JARS_PROPERTY = "lifeboat.testkit.jars";

    private static final Duration START_DEADLINE = Duration.ofSeconds(60);
    private static final long STOP_SECONDS = 10;

    private final String name;
    private final Process process;
    private final Path log;
    private final URI endpoint;

    private ServerProcess(String name, Process process, Path log, int port) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.endpoint = URI.create("http://127.0.0.1:" + port);
    }

    /** A port nothing listens on now, for a server to be told to listen on. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Runs {@code command}, its output (both streams) into {@code log}, and returns once it accepts
     * connections on 127.0.0.1:{@code port}; if it exits or does not within a minute, stops it and
     * throws with the log's content.
     */
    public static ServerProcess start(String name, List<String> command, Path log, int port) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ServerProcess server = new ServerProcess(name, p, log, port);
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
                throw new IOException(name + " exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IOException(name + " did not listen on port " + port + " within " + START_DEADLINE + ": " + Files.readString(log));
    }

    public URI endpoint() {
        return endpoint;
    }

    /** The JVM running the tests, to run a server jar with. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * {@code <dir>/<file>} in the test kit's target/, which its build's maven-dependency-plugin
     * copies there: the directory that holds the test kit's classes (target/classes in a reactor
     * build) or its jar. {@value #JARS_PROPERTY} names another directory.
     */
    public static Path serverJar(String dir, String file) {
        String jars = System.getProperty(JARS_PROPERTY);
        Path base = jars == null || jars.isBlank() ? testkitTarget() : Path.of(jars);
        Path jar = base.resolve(dir).resolve(file).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the testkit module through Maven (its process-resources"
                    + " copies it), or point -D" + JARS_PROPERTY + "= at a directory holding " + dir + "/" + file);
        }
        return jar;
    }

    private static Path testkitTarget() {
        try {
            return Path.of(ServerProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the test kit's location is no file: " + e.getMessage(), e);
        }
    }

    /** The version in a jar's {@code META-INF/maven/<group>/<artifact>/pom.properties}. */
    public static String jarVersion(Path jar, String group, String artifact) throws IOException {
        try (JarFile f = new JarFile(jar.toFile())) {
            ZipEntry e = f.getEntry("META-INF/maven/" + group + "/" + artifact + "/pom.properties");
            if (e == null) {
                throw new IOException(jar + " has no Maven properties for " + group + ":" + artifact);
            }
            Properties p = new Properties();
            try (InputStream in = f.getInputStream(e)) {
                p.load(in);
            }
            return p.getProperty("version");
        }
    }

    /** Removes {@code dir} (a server's data, configuration and log) with everything in it, if it is there. */
    public static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Stops the process and every process it started (a launcher's child would outlive it). */
    @Override
    public void close() {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        descendants.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(STOP_SECONDS, TimeUnit.SECONDS);
            }
            for (ProcessHandle h : descendants) {
                try {
                    h.onExit().get(STOP_SECONDS, TimeUnit.SECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    h.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            descendants.forEach(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
        }
    }
}
