package io.lifeboat.store.index;

import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Loads RocksDB's native library from one stable file per RocksDB version. RocksDB's own loader
 * extracts a fresh 17 MB copy to the temp directory on every start and deletes it only on a clean
 * exit, so every killed process (crash tests, a power cut, an OOM kill) leaves one behind.
 * The directory is {@code $LIFEBOAT_NATIVE_DIR}, else {@code <java.io.tmpdir>/lifeboat-native}.
 */
final class RocksNative {
    private static boolean loaded;

    private RocksNative() {
    }

    static synchronized void load() {
        if (loaded) {
            return;
        }
        String resource = Environment.getJniLibraryFileName("rocksdb");
        String env = System.getenv("LIFEBOAT_NATIVE_DIR");
        Path base = env != null && !env.isBlank() ? Paths.get(env) : Paths.get(System.getProperty("java.io.tmpdir"), "lifeboat-native");
        Path dir = base.resolve(jarName());
        try {
            // RocksDB.loadLibrary(paths) looks for this file name in each path.
            Path lib = dir.resolve(Environment.getJniLibraryFileName("rocksdbjni"));
            if (!Files.exists(lib)) {
                Files.createDirectories(dir);
                Path tmp = Files.createTempFile(dir, resource, ".tmp");
                try (InputStream in = RocksDB.class.getResourceAsStream("/" + resource)) {
                    if (in == null) {
                        throw new IllegalStateException("the rocksdbjni jar has no native library " + resource + " for this platform");
                    }
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                }
                // Whole or not at all: a concurrent starter either sees no file or the complete one.
                Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            RocksDB.loadLibrary(List.of(dir.toString()));
            loaded = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack RocksDB's native library to " + dir, e);
        }
    }

    /** The rocksdbjni jar's file name (it carries the version), as a directory name. */
    private static String jarName() {
        String location = String.valueOf(RocksDB.class.getProtectionDomain().getCodeSource().getLocation());
        for (String part : location.split("[/!]")) {
            if (part.startsWith("rocksdbjni") && part.endsWith(".jar")) {
                return part.substring(0, part.length() - 4);
            }
        }
        return "rocksdbjni";
    }
}
