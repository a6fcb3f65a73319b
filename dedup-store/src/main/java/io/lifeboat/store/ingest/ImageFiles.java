package io.lifeboat.store.ingest;

import io.lifeboat.store.StoreException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Opens a disk image file for backup, after checking it is one. */
public final class ImageFiles {
    private static final byte[] QCOW2_MAGIC = {'Q', 'F', 'I', (byte) 0xfb};

    private ImageFiles() {
    }

    public enum Format { RAW, QCOW2 }

    /** Refuses paths that are not readable regular files, with one clear message. */
    public static Format check(Path image) throws StoreException {
        if (!Files.exists(image)) {
            throw new StoreException(StoreException.Kind.BAD_INPUT, image + ": no such file");
        }
        if (!Files.isRegularFile(image)) {
            throw new StoreException(StoreException.Kind.BAD_INPUT, image + " is not a file"
                    + (Files.isDirectory(image, LinkOption.NOFOLLOW_LINKS) ? " (it is a directory)" : ""));
        }
        if (!Files.isReadable(image)) {
            throw new StoreException(StoreException.Kind.BAD_INPUT, image + " is not readable");
        }
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(image)) {
            int n = in.readNBytes(head, 0, 4);
            return n == 4 && java.util.Arrays.equals(head, QCOW2_MAGIC) ? Format.QCOW2 : Format.RAW;
        } catch (IOException e) {
            throw StoreException.io("reading " + image, e);
        }
    }

    public static DiskSource open(Path image) throws StoreException {
        return open(image, null);
    }

    /**
     * Like {@link #open(Path)}; a qcow2 image is served by qemu-nbd from {@code workDir} (which
     * must not exist yet), so whoever owns that directory can clean up after a crash.
     */
    public static DiskSource open(Path image, Path workDir) throws StoreException {
        Format f = check(image);
        try {
            return switch (f) {
                case RAW -> new RawFileSource(image);
                case QCOW2 -> QemuNbdSource.open(image, "qcow2", workDir);
            };
        } catch (IOException e) {
            throw StoreException.io("opening " + image, e);
        }
    }
}
