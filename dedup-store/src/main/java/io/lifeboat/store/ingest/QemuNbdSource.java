package io.lifeboat.store.ingest;

import io.lifeboat.nbd.NbdClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An image in a format only QEMU reads (qcow2): {@code qemu-nbd --read-only} serves it on a
 * private unix socket and it is read as an {@link NbdSource}. The socket, qemu-nbd's log and its
 * pid ({@value #PID_FILE}) live in one directory that the source owns: closing stops qemu-nbd and
 * removes the directory, and after a crash {@link #stopLeftover} finds and stops the orphan.
 */
public final class QemuNbdSource extends NbdSource {
    static final String PID_FILE = "qemu-nbd.pid";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private final Process qemuNbd;
    private final Path dir;

    private QemuNbdSource(NbdClient client, Process qemuNbd, Path dir) {
        super(client);
        this.qemuNbd = qemuNbd;
        this.dir = dir;
    }

    /**
     * Serves {@code image} with qemu-nbd from {@code dir}, which must not exist yet (null: a new
     * temporary directory).
     */
    public static QemuNbdSource open(Path image, String format, Path dir) throws IOException {
        if (dir == null) {
            dir = Files.createTempDirectory("lifeboat-nbd");
        } else {
            Files.createDirectory(dir);
        }
        Path socket = dir.resolve("nbd.sock");
        Process p;
        try {
            p = new ProcessBuilder("qemu-nbd", "--read-only", "--persistent", "--shared=1", "--format=" + format,
                    "--socket=" + socket, "--export-name=disk", image.toAbsolutePath().toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("qemu-nbd.log").toFile()).start();
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
                String log = Files.readString(dir.resolve("qemu-nbd.log")).strip();
                delete(dir);
                throw new IOException("qemu-nbd could not open " + image + ": " + log);
            }
            if (Files.exists(socket)) {
                try {
                    NbdClient c = NbdClient.connectUnix(socket, "disk", List.of(BASE_ALLOCATION));
                    return new QemuNbdSource(c, p, dir);
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

    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            qemuNbd.destroy();
            try {
                if (!qemuNbd.waitFor(10, TimeUnit.SECONDS)) {
                    qemuNbd.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                qemuNbd.destroyForcibly();
            }
            delete(dir);
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
                .filter(h -> h.info().arguments().map(a -> java.util.Arrays.asList(a).contains("--socket=" + socket)).orElse(false))
                .map(h -> {
                    h.destroyForcibly();
                    try {
                        h.onExit().get(10, TimeUnit.SECONDS);
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
