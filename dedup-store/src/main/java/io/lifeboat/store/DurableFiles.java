package io.lifeboat.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replacing a small file so that a crash leaves the old content or the new, never a mix, and the
 * new is on disk once the call returns: written to a temporary file of its own name beside it,
 * forced, renamed over it, and the directory forced.
 */
public final class DurableFiles {
    private DurableFiles() {
    }

    /**
     * Replaces {@code target} with {@code bytes}. The temporary file has a name of its own, so two
     * writers never rename each other's half-written file into place.
     */
    public static void replace(Path target, byte[] bytes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, target.getFileName() + ".", ".tmp");
        try {
            Files.write(tmp, bytes);
            try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                c.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
