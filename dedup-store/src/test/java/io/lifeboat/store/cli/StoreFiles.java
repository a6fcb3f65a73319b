package io.lifeboat.store.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a store (or any directory) holds on disk, for asserting that a refused command changed
 * nothing. The RocksDB index is left out: opening it rewrites its LOG, OPTIONS and WAL files
 * even when nothing is stored, and everything in it can be rebuilt from the packs anyway.
 */
public final class StoreFiles {
    private StoreFiles() {
    }

    /** Relative path → "dir", or "size@mtime" for a file; empty if {@code dir} does not exist. */
    public static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (!Files.exists(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                String rel = dir.relativize(p).toString();
                if (rel.equals("index") || rel.startsWith("index/")) {
                    continue;
                }
                out.put(rel, Files.isDirectory(p) ? "dir"
                        : Files.size(p) + "@" + Files.getLastModifiedTime(p).toInstant());
            }
        }
        return out;
    }

    /** Bytes in the store's sealed and unsealed pack files. */
    public static long packBytes(Path store) throws IOException {
        try (Stream<Path> s = Files.walk(store.resolve("packs"))) {
            long sum = 0;
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                sum += Files.size(p);
            }
            return sum;
        }
    }
}
