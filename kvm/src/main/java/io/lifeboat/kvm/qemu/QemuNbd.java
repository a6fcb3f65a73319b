package io.lifeboat.kvm.qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code qemu-nbd --read-only} serving one image on a private unix socket. Everything it needs
 * lives in one directory that this object owns: the socket, qemu-nbd's output
 * ({@value #LOG_FILE}, never a pipe) and its pid ({@value #PID_FILE}). Starting is time-limited
 * and interruptible; closing stops qemu-nbd and removes the directory; after a crash
 * {@link #stopLeftover} finds and stops the orphan from the directory alone.
 */
public final class QemuNbd implements AutoCloseable {
    public static final String PID_FILE = "qemu-nbd.pid";
    static final String LOG_FILE = "qemu-nbd.log";
    /** The export name clients ask for. */
    public static final String EXPORT = "disk";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    /** Connects a client to the socket; throws while qemu-nbd is not listening yet. */
    @FunctionalInterface
    public interface Connector<T> {
        T connect(Path socket, String export) throws IOException;
    }

    /** A running qemu-nbd and the first client connected to it. */
    public record Served<T>(QemuNbd server, T client) {
    }

    private final Process process;
    private final Path dir;

    private QemuNbd(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
    }

    /**
     * Serves {@code image} (in {@code format}) from {@code dir}, which must not exist yet (null: a
     * new temporary directory), and returns once {@code connector} has connected to it.
     */
    public static <T> Served<T> serve(Path image, String format, Path dir, Connector<T> connector) throws IOException {
        if (dir == null) {
            dir = Files.createTempDirectory("lifeboat-nbd");
        } else {
            Files.createDirectory(dir);
        }
        Path socket = dir.resolve("nbd.sock");
        Process p;
        try {
            p = new ProcessBuilder("qemu-nbd", "--read-only", "--persistent", "--shared=1", "--format=" + format,
                    "--socket=" + socket, "--export-name=" + EXPORT, image.toAbsolutePath().toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve(LOG_FILE).toFile()).start();
        } catch (IOException e) {
            delete(dir);
            throw new IOException("cannot run qemu-nbd to read " + format + " image " + image
                    + " (install qemu-utils): " + e.getMessage(), e);
        }
        Files.writeString(dir.resolve(PID_FILE), Long.toString(p.pid()));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                String log = Files.readString(dir.resolve(LOG_FILE)).strip();
                delete(dir);
                throw new IOException("qemu-nbd could not open " + image + ": " + log);
            }
            if (Files.exists(socket)) {
                try {
                    return new Served<>(new QemuNbd(p, dir), connector.connect(socket, EXPORT));
                } catch (IOException e) {
                    last = e; // socket created but not listening yet
                }
            }
            try {
                p.waitFor(20, TimeUnit.MILLISECONDS); // returns at once if qemu-nbd exits
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        p.destroyForcibly();
        delete(dir);
        throw new IOException("qemu-nbd did not start serving " + image + " within " + START_TIMEOUT.toSeconds() + " s", last);
    }

    /** Stops qemu-nbd (forcibly if it does not stop within 10 s) and removes its directory. */
    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        delete(dir);
    }

    /**
     * Stops a qemu-nbd that a crashed process left serving from {@code dir}, if its pid still
     * names a qemu-nbd serving that socket (a recycled pid is left alone). Returns whether one was stopped.
     */
    public static boolean stopLeftover(Path dir) throws IOException {
        Path pidFile = dir.resolve(PID_FILE);
        if (!Files.exists(pidFile)) {
            return false;
        }
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        String socket = dir.resolve("nbd.sock").toString();
        return ProcessHandle.of(pid)
                .filter(h -> h.info().command().map(c -> c.endsWith("qemu-nbd")).orElse(false))
                .filter(h -> h.info().arguments().map(a -> Arrays.asList(a).contains("--socket=" + socket)).orElse(false))
                .map(h -> {
                    h.destroyForcibly();
                    try {
                        h.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    } catch (Exception e) {
                        return false;
                    }
                    return true;
                })
                .orElse(false);
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
