package io.lifeboat.restore.instant;

import java.nio.file.Path;
import java.util.List;

/**
 * The sessions under a work directory: those that could be read, oldest first, and the session
 * files that could not, so that a caller can show them instead of failing on the first.
 */
public record SessionListing(List<InstantSession> sessions, List<Unreadable> unreadable) {

    /** A {@code session.json} that does not read as a session, and why. */
    public record Unreadable(Path file, String error) {
    }

    public SessionListing {
        sessions = List.copyOf(sessions);
        unreadable = List.copyOf(unreadable);
    }
}
