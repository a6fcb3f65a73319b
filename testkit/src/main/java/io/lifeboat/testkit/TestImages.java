package io.lifeboat.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** Disk images with the shapes that break chunk stores: holes, zero runs, noise, repetition, odd sizes. */
public final class TestImages {
    private TestImages() {
    }

    public enum Fill { HOLE, ZEROS, RANDOM, REPETITIVE, TEXT }

    /** A sparse file of {@code size} bytes; each region of {@code region} bytes gets one fill, chosen by the seed. */
    public static Path mixed(Path file, long size, int region, long seed) throws IOException {
        Random r = new Random(seed);
        Fill[] fills = Fill.values();
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(0);
            f.setLength(size);
            for (long off = 0; off < size; off += region) {
                int len = (int) Math.min(region, size - off);
                Fill fill = fills[r.nextInt(fills.length)];
                write(f, off, len, fill, r);
            }
        }
        return file;
    }

    /** Writes {@code len} bytes of the given fill at {@code off} (HOLE writes nothing). */
    public static void write(RandomAccessFile f, long off, int len, Fill fill, Random r) throws IOException {
        byte[] b = new byte[len];
        switch (fill) {
            case HOLE -> {
                return;
            }
            case ZEROS -> { }
            case RANDOM -> r.nextBytes(b);
            case REPETITIVE -> {
                byte[] unit = new byte[4096];
                r.nextBytes(unit);
                for (int i = 0; i < len; i++) {
                    b[i] = unit[i % unit.length];
                }
            }
            case TEXT -> {
                String words = "lifeboat backup chunk restore manifest pack index verify ";
                for (int i = 0; i < len; i++) {
                    b[i] = (byte) words.charAt((i * 7 + r.nextInt(3)) % words.length());
                }
            }
        }
        f.seek(off);
        f.write(b);
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Flips one bit of the byte at {@code offset}: damage no checksum may miss. */
    public static void flipByte(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x40);
        }
    }
}
