package io.lifeboat.restore.files;

import io.lifeboat.restore.RestoreException;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A path inside a guest file system, as a user gave it: absolute, normalized ({@code .}, empty and
 * repeated separators removed, {@code ..} resolved), never climbing above the root, with no NUL or
 * line break (guestfish prints one name per line).
 */
public record GuestPath(String value) {

    public GuestPath {
        if (value == null || !value.startsWith("/")) {
            throw new IllegalArgumentException("not an absolute guest path: " + value);
        }
    }

    /** The path checked and normalized; BAD_INPUT with the reason otherwise. */
    public static GuestPath of(String path) throws RestoreException {
        if (path == null || path.isEmpty()) {
            throw RestoreException.badInput("path is required: an absolute path in the guest file system, e.g. /etc");
        }
        if (!path.startsWith("/")) {
            throw RestoreException.badInput("path " + path + " is not absolute; guest paths start with /");
        }
        if (path.indexOf('\0') >= 0 || path.indexOf('\n') >= 0 || path.indexOf('\r') >= 0) {
            throw RestoreException.badInput("path must not contain NUL or line breaks");
        }
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw RestoreException.badInput("path " + path + " climbs above the root of the file system");
                }
                parts.removeLast();
            } else {
                parts.addLast(part);
            }
        }
        return new GuestPath("/" + String.join("/", parts));
    }

    public boolean isRoot() {
        return value.equals("/");
    }

    /** The last name, or {@code root} for {@code /}: what a download is called. */
    public String fileName() {
        return isRoot() ? "root" : value.substring(value.lastIndexOf('/') + 1);
    }

    /** {@code name} inside this directory. */
    public String child(String name) {
        return isRoot() ? "/" + name : value + "/" + name;
    }

    @Override
    public String toString() {
        return value;
    }
}
