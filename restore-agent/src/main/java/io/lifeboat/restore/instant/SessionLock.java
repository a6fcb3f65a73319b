package io.lifeboat.restore.instant;

import io.lifeboat.restore.RestoreException;
import io.lifeboat.store.StoreException.Kind;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The right to serve and copy one instant recovery session, held by one process at a time: two
 * runs on one session would abort each other's copy jobs, delete the image the other's copy
 * writes into, and replace each other's socket.
 *
 * <p>On disk: {@code <session dir>/lock}, a POSIX record lock ({@link FileChannel#tryLock}) on the
 * whole file, held for as long as the process serves or copies the session. The file holds the
 * holder's pid in ASCII decimal and a newline, only so that a refused taker can name it; the lock,
 * not the content, decides. The kernel drops the lock when the holder dies, so a crashed agent
 * never blocks a resume. The file stays when the lock is released.
 */
public final class SessionLock implements AutoCloseable {
    static final String FILE = "lock";

    /** Lock files this JVM holds, by real path. */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private SessionLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of the session (or runbook run) in {@code dir}, or refuses (CONFLICT) naming
     * the process that holds it; {@code id} names it in messages ({@code session 3f1c0a2b}).
     */
    public static SessionLock acquire(Path dir, String id) throws RestoreException {
        Path file;
        try {
            file = dir.toRealPath().resolve(FILE);
        } catch (IOException e) {
            throw new RestoreException(Kind.IO, "cannot lock " + id + ": " + e.getMessage(), e);
        }
        // Checked before opening the file: closing any descriptor of a file drops every POSIX lock
        // this process holds on it, so a second channel must never be opened while one is held.
        if (!HELD.add(file)) {
            throw refused(id, "another run in this process (pid " + ProcessHandle.current().pid() + ")");
        }
        FileChannel channel = null;
        FileLock lock;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            lock = channel.tryLock();
            if (lock == null) {
                channel.close();
            }
        } catch (IOException e) {
            closeQuietly(channel);
            HELD.remove(file);
            throw new RestoreException(Kind.IO, "cannot lock " + id + " (" + file + "): " + e.getMessage(), e);
        }
        if (lock == null) {
            String pid = holder(file); // before HELD lets another thread of this process lock the file
            HELD.remove(file);
            throw refused(id, "another process (pid " + pid + ")");
        }
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
            return new SessionLock(file, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            HELD.remove(file);
            throw new RestoreException(Kind.IO, "cannot lock " + id + " (" + file + "): " + e.getMessage(), e);
        }
    }

    private static RestoreException refused(String id, String holder) {
        return RestoreException.conflict(id + " is being served by " + holder
                + "; stop that one first, or let it finish");
    }

    private static String holder(Path file) {
        try {
            String pid = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return pid.matches("[0-9]{1,19}") ? pid : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing releases the lock either way
            }
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        closeQuietly(channel);
        HELD.remove(file);
    }
}
