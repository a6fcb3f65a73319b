package io.lifeboat.kvm.qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code qemu-nbd} serving one image on a private unix socket: read-only (backup reads an image),
 * or writable (failback writes a restore point into a VM's existing image, which keeps its file,
 * format and persistent dirty bitmaps; the bitmaps see the writes), optionally exposing a
 * persistent dirty bitmap as the meta context {@code qemu:dirty-bitmap:NAME}. Everything it needs
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

    /**
     * How the image is served. {@code writable} drops {@code --read-only} and passes
     * {@code --cache=writeback} (qemu-nbd's default, spelled out because durability rests on it):
     * writes go through the host page cache and an NBD_CMD_FLUSH makes them durable (qemu
     * fdatasyncs the file and writes the qcow2 metadata). {@code cache=none} would add O_DIRECT
     * alignment rules and file systems that refuse it, for no gain in a write that ends with a
     * flush; {@code cache=unsafe} would ignore the flush. Discard and zero detection keep their
     * defaults ({@code --discard=ignore}, {@code --detect-zeroes=off}): qemu-nbd advertises
     * NBD_CMD_WRITE_ZEROES regardless, and zeroes written that way become holes or zero clusters
     * without the server ever unmapping on its own. {@code bitmap} (null: none) adds
     * {@code --bitmap=NAME}, exposing {@code qemu:dirty-bitmap:NAME}; qemu-nbd refuses to start
     * unless the image has a consistent persistent bitmap of that name.
     */
    public record Options(boolean writable, String bitmap) {
        public static final Options READ_ONLY = new Options(false, null);

        public Options {
            if (bitmap != null && (bitmap.isEmpty() || bitmap.length() > 1023)) {
                throw new IllegalArgumentException("bitmap name must have 1 to 1023 characters, got '" + bitmap + "'");
            }
        }
    }

    /** A running qemu-nbd and the first client connected to it. */
    public record Served<T>(QemuNbd server, T client) {
    }

    private final Process process;
    private final Path dir;
    private final boolean writable;

    private QemuNbd(Process process, Path dir, boolean writable) {
        this.process = process;
        this.dir = dir;
        this.writable = writable;
    }

    /** Like {@link #serve(Path, String, Path, Options, Connector)} with {@link Options#READ_ONLY}. */
    public static <T> Served<T> serve(Path image, String format, Path dir, Connector<T> connector) throws IOException {
        return serve(image, format, dir, Options.READ_ONLY, connector);
    }

    /**
     * Serves {@code image} (in {@code format}) from {@code dir}, which must not exist yet (null: a
     * new temporary directory), and returns once {@code connector} has connected to it. If
     * qemu-nbd cannot open the image (no such bitmap, the image locked by a running VM, ...) the
     * IOException carries qemu-nbd's own message.
     */
    public static <T> Served<T> serve(Path image, String format, Path dir, Options options, Connector<T> connector)
            throws IOException {
        if (dir == null) {
            dir = Files.createTempDirectory("lifeboat-nbd");
        } else {
            Files.createDirectory(dir);
        }
        Path socket = dir.resolve("nbd.sock");
        List<String> command = new ArrayList<>(List.of("qemu-nbd", "--persistent", "--shared=1", "--format=" + format,
                "--socket=" + socket, "--export-name=" + EXPORT));
        command.add(options.writable() ? "--cache=writeback" : "--read-only");
        if (options.bitmap() != null) {
            command.add("--bitmap=" + options.bitmap());
        }
        command.add(image.toAbsolutePath().toString());
        Process p;
        try {
            p = new ProcessBuilder(command)
                    .redirectErrorStream(true).redirectOutput(dir.resolve(LOG_FILE).toFile()).start();
        } catch (IOException e) {
            delete(dir);
            throw new IOException("cannot run qemu-nbd to " + (options.writable() ? "write" : "read") + " " + format
                    + " image " + image + " (install qemu-utils): " + e.getMessage(), e);
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
                    return new Served<>(new QemuNbd(p, dir, options.writable()), connector.connect(socket, EXPORT));
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

    /**
     * Stops qemu-nbd (SIGTERM; forcibly if it does not stop within 10 s) and removes its
     * directory. On SIGTERM qemu-nbd closes the image cleanly, which is when a writable qcow2's
     * persistent bitmaps are stored; so for a writable image an unclean stop is an IOException
     * carrying qemu-nbd's output (the data is as flushed, the bitmaps may be marked inconsistent).
     */
    @Override
    public void close() throws IOException {
        process.destroy();
        boolean clean;
        try {
            clean = process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            clean = false;
        }
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        String log = writable && !clean ? readLog() : "";
        delete(dir);
        if (writable && !clean) {
            throw new IOException("qemu-nbd did not close the image it wrote cleanly"
                    + " (exit status: " + exitValue() + "): " + log);
        }
    }

    private String readLog() {
        try {
            return Files.readString(dir.resolve(LOG_FILE)).strip();
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private String exitValue() {
        try {
            return Integer.toString(process.exitValue());
        } catch (IllegalThreadStateException e) {
            return "still running";
        }
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
