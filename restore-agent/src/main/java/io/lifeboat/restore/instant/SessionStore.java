package io.lifeboat.restore.instant;

import io.lifeboat.restore.RestoreException;
import io.lifeboat.store.StoreException.Kind;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The instant recovery sessions under a work directory: each in {@code <root>/<id>/}, its state in
 * {@code session.json} ({@link InstantSession}), its overlays and socket beside it, and its
 * {@link SessionLock}. Reads, records, lists and deletes sessions, and holds the locks this
 * process has taken.
 */
final class SessionStore {
    private static final System.Logger LOG = System.getLogger(SessionStore.class.getName());

    private final Path root;
    /** Sessions this process holds the {@link SessionLock} of. */
    private final Map<String, SessionLock> locks = new ConcurrentHashMap<>();

    SessionStore(Path root) throws IOException {
        this.root = Files.createDirectories(root).toAbsolutePath();
    }

    /** The directory of session {@code id}. */
    Path dir(String id) {
        return root.resolve(id);
    }

    /**
     * Every session under the root, oldest first, and apart from them each session file that
     * cannot be read (logged too): one damaged file must not keep the others from being resumed.
     */
    SessionListing list() throws IOException {
        List<InstantSession> all = new ArrayList<>();
        List<SessionListing.Unreadable> unreadable = new ArrayList<>();
        try (var dirs = Files.list(root)) {
            for (Path d : dirs.filter(p -> Files.isRegularFile(p.resolve(InstantSession.FILE))).sorted().toList()) {
                try {
                    all.add(InstantSession.read(d));
                } catch (IOException e) {
                    Path file = d.resolve(InstantSession.FILE);
                    LOG.log(System.Logger.Level.WARNING, "skipping instant recovery session " + file + ": " + e.getMessage());
                    unreadable.add(new SessionListing.Unreadable(file, String.valueOf(e.getMessage())));
                }
            }
        }
        all.sort(Comparator.comparing(InstantSession::started));
        return new SessionListing(all, unreadable);
    }

    /** The session as last recorded; an unknown id is NOT_FOUND. */
    InstantSession read(String id) throws RestoreException {
        Path dir = dir(id);
        if (!id.matches("[0-9a-f]{8}") || !Files.isRegularFile(dir.resolve(InstantSession.FILE))) {
            throw new RestoreException(Kind.NOT_FOUND, "no instant recovery session " + id);
        }
        try {
            return InstantSession.read(dir);
        } catch (IOException e) {
            throw new RestoreException(Kind.IO, "cannot read session " + id + ": "
                    + e.getMessage(), e);
        }
    }

    /** Writes the session's state file and returns the session. */
    InstantSession record(InstantSession session) throws RestoreException {
        Path dir = dir(session.id());
        try {
            session.write(dir);
            return session;
        } catch (IOException e) {
            throw new RestoreException(Kind.IO, "cannot record session " + session.id()
                    + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Removes the session's directory: state file, overlays, lock. */
    void delete(String id) throws RestoreException {
        try (var files = Files.walk(dir(id))) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new RestoreException(Kind.IO, "cannot remove session " + id + ": " + e.getMessage(), e);
        }
    }

    /** Removes what a start that failed half-way left in the session's directory, whatever fails. */
    void deleteQuietly(String id) {
        try (var files = Files.walk(dir(id))) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // the error that made the start fail is the one to report
        }
    }

    /** Takes the session's lock for this process, unless this process holds it already. */
    synchronized void hold(String id) throws RestoreException {
        if (!locks.containsKey(id)) {
            locks.put(id, SessionLock.acquire(dir(id), "session " + id));
        }
    }

    /** Gives the session's lock up, whatever this process still does with it. */
    synchronized void release(String id) {
        SessionLock lock = locks.remove(id);
        if (lock != null) {
            lock.close();
        }
    }
}
