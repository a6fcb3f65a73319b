package io.lifeboat.restore.files;

import java.time.Instant;

/**
 * One entry of a guest directory, from its {@code lstat} (a symbolic link is the link, not what
 * it points at).
 *
 * @param mode permission bits (with setuid, setgid and sticky) as an octal string, e.g. {@code 0644}
 */
public record GuestEntry(String name, Type type, long sizeBytes, String mode, Instant mtime) {

    public enum Type { FILE, DIR, SYMLINK, OTHER }

    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;

    /** From the raw {@code st_mode}. */
    static GuestEntry of(String name, long stMode, long size, long mtimeSeconds, long mtimeNanos) {
        Type type = switch ((int) stMode & S_IFMT) {
            case S_IFREG -> Type.FILE;
            case S_IFDIR -> Type.DIR;
            case S_IFLNK -> Type.SYMLINK;
            default -> Type.OTHER;
        };
        return new GuestEntry(name, type, size, String.format("%04o", stMode & 07777),
                Instant.ofEpochSecond(mtimeSeconds, mtimeNanos));
    }
}
