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
    /** magic u32, version u32, backing file offset u64, backing file size u32, cluster bits u32, size u64. */
    private static final int QCOW2_SIZE_OFFSET = 24;

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

    /**
     * The size the image shows a VM, read without starting QEMU: a raw file's length, a qcow2's
     * virtual size (the big-endian u64 at byte 24 of its header).
     */
    public static long virtualSize(Path image, Format format) throws StoreException {
        try {
            if (format == Format.RAW) {
                return Files.size(image);
            }
            byte[] header = new byte[QCOW2_SIZE_OFFSET + Long.BYTES];
            try (InputStream in = Files.newInputStream(image)) {
                if (in.readNBytes(header, 0, header.length) != header.length) {
                    throw new StoreException(StoreException.Kind.BAD_INPUT, image + ": qcow2 header is truncated");
                }
            }
            long size = java.nio.ByteBuffer.wrap(header, QCOW2_SIZE_OFFSET, Long.BYTES).getLong();
            if (size < 0) {
                throw new StoreException(StoreException.Kind.BAD_INPUT, image + ": qcow2 virtual size "
                        + Long.toUnsignedString(size) + " is out of range");
            }
            return size;
        } catch (IOException e) {
            throw StoreException.io("reading " + image, e); // a StoreException passes through as it is
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
