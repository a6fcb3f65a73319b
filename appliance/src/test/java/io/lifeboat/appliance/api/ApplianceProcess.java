package io.lifeboat.appliance.api;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.lifeboat.appliance.LifeboatApplication;

/**
 * The appliance as its own JVM, as an operator runs it, so a test can kill it with SIGKILL and
 * start it again on the same data directory. Its classpath is the test's own; settings are given
 * as command-line properties; its output goes to {@code appliance-<n>.log} in the data directory's
 * parent.
 */
final class ApplianceProcess implements AutoCloseable {
    private static final Duration START_DEADLINE = Duration.ofSeconds(90);

    private final Process process;
    private final int port;
    private final Path log;

    private ApplianceProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts an appliance on {@code dataDir} with {@code properties} and waits until its health answers UP. */
    static ApplianceProcess start(Path dataDir, Map<String, String> properties) throws IOException, InterruptedException {
        int port = freePort();
        Path top = dataDir.toAbsolutePath().getParent();
        Path log = top.resolve("appliance-" + port + ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"),
                LifeboatApplication.class.getName(),
                "--server.port=" + port,
                "--lifeboat.data-dir=" + dataDir.toAbsolutePath(),
                "--server.tomcat.basedir=" + top.resolve("tomcat")));
        properties.forEach((k, v) -> command.add("--" + k + "=" + v));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("LIFEBOAT_ADMIN_PASSWORD", RunningAppliance.ADMIN_PASSWORD);
        ApplianceProcess appliance = new ApplianceProcess(pb.start(), port, log);
        try {
            appliance.awaitHealthy();
        } catch (IOException | RuntimeException | InterruptedException | Error e) {
            appliance.close();
            throw e;
        }
        return appliance;
    }

    private void awaitHealthy() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        ApiClient anonymous = ApiClient.anonymous(port);
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("the appliance exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (anonymous.get("/actuator/health").status() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // keep waiting
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the appliance was not healthy within " + START_DEADLINE.toSeconds() + " s:\n"
                        + Files.readString(log));
            }
            Thread.sleep(200);
        }
    }

    ApiClient admin() {
        return new ApiClient(port, "admin", RunningAppliance.ADMIN_PASSWORD);
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    /** SIGKILL: no shutdown hook, no @PreDestroy, nothing flushed that was not already. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the appliance did not die");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
