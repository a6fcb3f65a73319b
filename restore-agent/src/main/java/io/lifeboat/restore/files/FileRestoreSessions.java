package io.lifeboat.restore.files;

import io.lifeboat.restore.RestoreException;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.read.ChunkSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The open {@link FileRestore} sessions of this process, each in {@code <root>/<8 hex>/}. A
 * session stays open while it is used and is closed once it has been idle for
 * {@code idleTimeout}; {@link #close} closes them all (at shutdown). Sessions do not survive the
 * process: what one that died left (guestfish servers, which run on in the background, and their
 * qemu, both naming the session's socket under the root, and the directories) is removed when the
 * next starts.
 */
public final class FileRestoreSessions implements AutoCloseable {
    private final Path root;
    private final Duration idleTimeout;
    private final FileRestore.Options options;
    private final int maxSessions;
    private final Map<String, FileRestore> sessions = new ConcurrentHashMap<>();
    /** Sessions open or being opened: each one is a qemu process with its memory. */
    private final AtomicInteger slots = new AtomicInteger();
    private final ScheduledExecutorService sweeper;

    /** @param maxSessions how many sessions may be open at once; one more is refused (CONFLICT) */
    public FileRestoreSessions(Path root, Duration idleTimeout, int maxSessions, FileRestore.Options options)
            throws IOException {
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("the idle timeout of file restore sessions must be positive");
        }
        if (maxSessions < 1) {
            throw new IllegalArgumentException("at least one file restore session must be allowed, was " + maxSessions);
        }
        this.maxSessions = maxSessions;
        this.root = root;
        this.idleTimeout = idleTimeout;
        this.options = options;
        Files.createDirectories(root);
        removeLeftovers();
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "file-restore-idle");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(200, Math.min(idleTimeout.toMillis() / 4, 30_000));
        sweeper.scheduleWithFixedDelay(this::closeIdle, every, every, TimeUnit.MILLISECONDS);
    }

    /** Opens a session over the restore point; see {@link FileRestore#open}. */
    public FileRestore open(Manifest manifest, ChunkSource source) throws RestoreException {
        if (slots.incrementAndGet() > maxSessions) {
            slots.decrementAndGet();
            throw RestoreException.conflict(maxSessions + " file restore session(s) are open, as many as allowed;"
                    + " close one (or wait for an idle one to close)");
        }
        boolean opened = false;
        try {
            String id;
            do {
                id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            } while (sessions.containsKey(id) || Files.exists(root.resolve(id)));
            FileRestore session = FileRestore.open(id, root.resolve(id), manifest, source, options);
            sessions.put(id, session);
            opened = true;
            return session;
        } finally {
            if (!opened) {
                slots.decrementAndGet();
            }
        }
    }

    /** An open session; NOT_FOUND if there is none by that id (or it was closed for being idle). */
    public FileRestore get(String id) throws RestoreException {
        FileRestore s = sessions.get(id);
        if (s == null || s.closed()) {
            throw RestoreException.notFound("no file restore session " + id + " (sessions close after "
                    + idleTimeout.toSeconds() + " s without use)");
        }
        return s;
    }

    public List<FileRestore> list() {
        return List.copyOf(sessions.values());
    }

    /** Closes a session; NOT_FOUND if there is none. */
    public void close(String id) throws RestoreException {
        FileRestore s = sessions.remove(id);
        if (s == null) {
            throw RestoreException.notFound("no file restore session " + id);
        }
        closeAndFree(s);
    }

    /** Closes every session idle for longer than the timeout. */
    void closeIdle() {
        for (FileRestore s : sessions.values()) {
            if (s.idle().compareTo(idleTimeout) > 0 && sessions.remove(s.id(), s)) {
                closeAndFree(s);
            }
        }
    }

    private void removeLeftovers() throws IOException {
        String under = root.toAbsolutePath() + "/";
        List<ProcessHandle> left = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(under)).orElse(false))
                .filter(p -> p.info().command().map(c -> c.contains("guestfish") || c.contains("qemu")).orElse(false))
                .toList();
        List<Long> servers = left.stream().filter(p -> p.info().command().map(c -> c.contains("guestfish")).orElse(false))
                .map(ProcessHandle::pid).toList();
        for (ProcessHandle p : left) {
            p.destroyForcibly();
        }
        for (ProcessHandle p : left) {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception stillThere) {
                // its directory goes all the same; the process holds nothing but its socket
            }
        }
        servers.forEach(Guestfish::removeSocket);
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(root)).forEach(p -> p.toFile().delete());
        }
    }

    /** Closes every session. */
    @Override
    public void close() {
        sweeper.shutdownNow();
        for (String id : List.copyOf(sessions.keySet())) {
            FileRestore s = sessions.remove(id);
            if (s != null) {
                closeAndFree(s);
            }
        }
    }

    private void closeAndFree(FileRestore s) {
        try {
            s.close();
        } finally {
            slots.decrementAndGet();
        }
    }
}
