package io.lifeboat.store.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeboat.testkit.ConsoleCapture;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code lifeboat-store} as a user or a script would: in this JVM with stdout and stderr
 * captured, or as a child JVM that a test can kill.
 */
public final class CliRunner {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CliRunner() {
    }

    /** What one run printed and returned. */
    public record Result(int exit, String out, String err) {
        public JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("stdout is not JSON: " + this, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** {@code lifeboat-store --store STORE ARGS...} in this JVM. */
    public static Result run(Path store, String... args) {
        List<String> all = new ArrayList<>(List.of("--store", store.toString()));
        all.addAll(List.of(args));
        return run(all.toArray(String[]::new));
    }

    /** {@code lifeboat-store ARGS...} in this JVM; the process-wide System.out/err are swapped meanwhile. */
    public static Result run(String... args) {
        ConsoleCapture.Run run = ConsoleCapture.run(() -> StoreCli.run(args));
        return new Result(run.exit(), run.out(), run.err());
    }

    /** Starts {@code lifeboat-store --store STORE ARGS...} in a child JVM with extra JVM options. */
    public static Child start(Path store, List<String> jvmOptions, String... args) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path")));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of(StoreCli.class.getName(), "--store", store.toString()));
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile("lifeboat-child", ".stderr");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        return new Child(p, err);
    }

    /** A CLI process in a child JVM. Closing it kills it (if still running) and waits for it. */
    public static final class Child implements AutoCloseable {
        private static final String EOF = "\u0000EOF";
        private final Process process;
        private final Path stderr;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final StringBuilder seen = new StringBuilder();

        private Child(Process process, Path stderr) {
            this.process = process;
            this.stderr = stderr;
            Thread reader = new Thread(this::pump, "child-stdout-" + process.pid());
            reader.setDaemon(true);
            reader.start();
        }

        private void pump() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process was killed: its stdout ends here
            } finally {
                lines.add(EOF);
            }
        }

        /** Waits until the child prints {@code expected} as a whole line; fails if it exits or the deadline passes first. */
        public void awaitLine(String expected, Duration deadline) throws InterruptedException {
            long end = System.nanoTime() + deadline.toNanos();
            while (true) {
                String line = lines.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new AssertionError("no '" + expected + "' from the child within " + deadline + describe());
                }
                if (line.equals(EOF)) {
                    process.waitFor(10, TimeUnit.SECONDS);
                    throw new AssertionError("child ended without printing '" + expected + "'" + describe());
                }
                seen.append(line).append('\n');
                if (line.equals(expected)) {
                    return;
                }
            }
        }

        /** Exit code if the child ends within {@code timeout}. */
        public Optional<Integer> awaitExit(Duration timeout) throws InterruptedException {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? Optional.of(process.exitValue()) : Optional.empty();
        }

        /** SIGKILL, and wait until the process is gone (its locks released). */
        public void kill() throws InterruptedException {
            process.destroyForcibly();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("child " + process.pid() + " survived SIGKILL for 30 s");
            }
        }

        public String describe() {
            String err;
            try {
                err = Files.readString(stderr);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return "\n(pid " + process.pid() + (process.isAlive() ? ", running" : ", exit " + process.exitValue())
                    + ")\n--- stdout\n" + seen + "--- stderr\n" + err;
        }

        @Override
        public void close() throws InterruptedException, IOException {
            try {
                kill();
            } finally {
                Files.deleteIfExists(stderr);
            }
        }
    }
}
