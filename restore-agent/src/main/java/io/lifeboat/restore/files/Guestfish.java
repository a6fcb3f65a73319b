package io.lifeboat.restore.files;

import io.lifeboat.restore.RestoreException;
import io.lifeboat.store.StoreException.Kind;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code guestfish --listen} server with read-only drives, and the {@code guestfish --remote}
 * commands sent to it. The server holds the libguestfs handle (and its appliance, a qemu process)
 * for the whole session, so only the first command pays for the appliance's boot.
 *
 * <p>Every command is sent with guestfish's {@code -} prefix: without it a failing command makes
 * the server exit. The server, not the {@code --remote} client, prints libguestfs' errors, to its
 * stderr, which goes to {@code <dir>/guestfish.log}: a command failed if that log grew by a
 * {@code libguestfs: error: ...} line while it ran (commands run one at a time). Its output is
 * what the client wrote to stdout. The server listens on {@code /tmp/.guestfish-<uid>/socket-<pid>}
 * (a fixed place, whatever {@code TMPDIR} says); it removes the socket when it exits, and
 * {@link #removeSocket} does when it had to be killed.
 */
final class Guestfish implements AutoCloseable {
    private static final Pattern PID = Pattern.compile("GUESTFISH_PID=(\\d+)");
    private static final String ERROR = "libguestfs: error: ";
    private static final long STOP_WAIT_SECONDS = 10;

    private final Path dir;
    private final long pid;
    private final Map<String, String> env;
    private final Path log;
    private final Duration commandTimeout;
    private long logRead;

    private Guestfish(Path dir, long pid, Map<String, String> env, Path log, Duration commandTimeout) {
        this.dir = dir;
        this.pid = pid;
        this.env = env;
        this.log = log;
        this.commandTimeout = commandTimeout;
    }

    /**
     * Starts the server with {@code drives} (URIs such as {@code nbd:///vda?socket=/path}) added
     * read-only as raw; the appliance is not launched yet ({@link #launch}).
     *
     * @param forceTcg       run the appliance without KVM, for hosts where KVM is missing or broken
     * @param commandTimeout how long one command may take; a server that does not answer in time
     *                       is killed (a hung appliance must not hold a caller for ever)
     */
    static Guestfish listen(Path dir, List<String> drives, boolean forceTcg, Duration commandTimeout)
            throws RestoreException {
        Map<String, String> env = forceTcg
                ? Map.of("LIBGUESTFS_BACKEND", "direct", "LIBGUESTFS_BACKEND_SETTINGS", "force_tcg")
                : Map.of("LIBGUESTFS_BACKEND", "direct");
        List<String> command = new ArrayList<>(List.of("guestfish", "--listen", "--ro", "--format=raw"));
        for (String drive : drives) {
            command.add("-a");
            command.add(drive);
        }
        Path out = dir.resolve("guestfish.out");
        Path err = dir.resolve("guestfish.log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        try {
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new RestoreException(Kind.IO, "cannot run guestfish (is libguestfs-tools installed? scripts/host-setup.sh"
                        + " installs it): " + e.getMessage(), e);
            }
            // the parent prints the server's pid and exits; the server goes on in the background
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new RestoreException(Kind.IO, "guestfish --listen failed: " + Files.readString(err).strip());
            }
            Matcher m = PID.matcher(Files.readString(out));
            if (!m.find()) {
                throw new RestoreException(Kind.IO, "guestfish --listen did not say its pid: " + Files.readString(out).strip());
            }
            return new Guestfish(dir, Long.parseLong(m.group(1)), env, err, commandTimeout);
        } catch (RestoreException e) {
            throw e;
        } catch (IOException e) {
            throw new RestoreException(Kind.IO, "starting guestfish: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreException(Kind.IO, "interrupted while starting guestfish", e);
        }
    }

    long pid() {
        return pid;
    }

    /** Boots the appliance: seconds under KVM, more under TCG. */
    void launch() throws RestoreException {
        run("run");
    }

    /** Runs one guestfish command; its stdout, or a {@link Failure} with libguestfs' message. */
    synchronized String run(String... command) throws RestoreException {
        List<String> argv = new ArrayList<>(List.of("guestfish", "--remote=" + pid, "--"));
        argv.add("-" + command[0]);
        argv.addAll(List.of(command).subList(1, command.length));
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            // stderr is small (one error); read it on the side so a long stdout cannot block on it
            StringBuilder err = new StringBuilder();
            Thread errReader = new Thread(() -> {
                try {
                    err.append(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // the exit status tells
                }
            }, "guestfish-stderr");
            errReader.setDaemon(true);
            errReader.start();
            // past the deadline the server is killed: the client then ends, and so does this read
            AtomicBoolean late = new AtomicBoolean();
            CompletableFuture<?> deadline = CompletableFuture.runAsync(() -> {
                if (p.isAlive()) {
                    late.set(true);
                    kill();
                    p.destroyForcibly();
                }
            }, CompletableFuture.delayedExecutor(commandTimeout.toMillis(), TimeUnit.MILLISECONDS));
            String out;
            int exit;
            try {
                out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                exit = p.waitFor();
            } finally {
                deadline.cancel(false);
            }
            if (late.get()) {
                throw new RestoreException(Kind.IO, "guestfish " + command[0] + " did not answer within "
                        + commandTimeout.toSeconds() + " s; the session's appliance was stopped");
            }
            errReader.join();
            String error = err + newInLog();
            int at = error.indexOf(ERROR);
            if (at >= 0) {
                throw new Failure(command[0], error.substring(at + ERROR.length()).lines().findFirst().orElse("").strip());
            }
            if (exit != 0) {
                throw new RestoreException(Kind.IO, "guestfish " + command[0] + " failed (exit " + exit + "): " + error.strip());
            }
            return out;
        } catch (RestoreException e) {
            throw e;
        } catch (IOException e) {
            throw new RestoreException(Kind.IO, "guestfish " + command[0] + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreException(Kind.IO, "interrupted during guestfish " + command[0], e);
        }
    }

    /** What the server wrote to its log since the last look. */
    private String newInLog() throws IOException {
        try (FileChannel ch = FileChannel.open(log)) {
            long size = ch.size();
            if (size <= logRead) {
                return "";
            }
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size - logRead, 1 << 20));
            ch.read(buf, logRead);
            logRead = size;
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        }
    }

    /** Whether the server still runs. */
    boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Asks the server to exit (it closes the appliance), and kills it and its qemu if it does not. */
    @Override
    public void close() {
        Optional<ProcessHandle> server = ProcessHandle.of(pid);
        if (server.isEmpty()) {
            return;
        }
        List<ProcessHandle> children = server.get().descendants().toList();
        try {
            run("exit");
        } catch (RestoreException ignored) {
            // killed below
        }
        try {
            server.get().onExit().get(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception notYet) {
            kill();
        }
        for (ProcessHandle child : children) {
            child.destroyForcibly();
        }
    }

    /** Kills the server and its appliance at once, without asking. */
    private void kill() {
        ProcessHandle.of(pid).ifPresent(server -> {
            List<ProcessHandle> children = server.descendants().toList();
            server.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            removeSocket(pid);
        });
    }

    /** Removes the socket of a server that was killed (one that exits removes its own). */
    static void removeSocket(long pid) {
        try {
            int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            Files.deleteIfExists(Path.of("/tmp/.guestfish-" + uid, "socket-" + pid));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException ignored) {
            // a stale socket file in /tmp is all that is left
        }
    }

    /** libguestfs refused a command: a missing file, a file system that does not mount, ... */
    static final class Failure extends RestoreException {
        private static final long serialVersionUID = 1L;

        Failure(String command, String message) {
            super(kindOf(message), message.startsWith(command + ": ") ? message.substring(command.length() + 2) : message);
        }

        private static Kind kindOf(String message) {
            if (message.contains("No such file or directory")) {
                return Kind.NOT_FOUND;
            }
            return Kind.BAD_INPUT;
        }
    }

    Path dir() {
        return dir;
    }
}
