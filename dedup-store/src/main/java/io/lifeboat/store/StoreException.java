package io.lifeboat.store;

/**
 * An error the store reports to its user: one clear message, and a kind that the CLI maps to an
 * exit code and the API to a status. Programming errors stay unchecked exceptions of their own.
 */
public class StoreException extends java.io.IOException {
    public enum Kind {
        /** The caller asked for something malformed (bad path, bad name, bad option). */
        BAD_INPUT,
        /** A restore point, VM or chunk that does not exist. */
        NOT_FOUND,
        /** Data on disk failed a checksum or does not parse. */
        CORRUPT,
        /** A store of another format version, or not a store at all. */
        FORMAT,
        /** The store is locked by another process, or the target exists. */
        CONFLICT,
        /** The file system is full. */
        NO_SPACE,
        /** Any other I/O failure. */
        IO
    }

    private final Kind kind;

    public StoreException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public StoreException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** Wraps an I/O failure, recognising a full file system so the user is told exactly that. */
    public static StoreException io(String doing, java.io.IOException e) {
        if (e instanceof StoreException se) {
            return se;
        }
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("No space left on device") || msg.contains("Disk quota exceeded")) {
            return new StoreException(Kind.NO_SPACE, doing + ": no space left on device", e);
        }
        return new StoreException(Kind.IO, doing + ": " + e, e);
    }
}
