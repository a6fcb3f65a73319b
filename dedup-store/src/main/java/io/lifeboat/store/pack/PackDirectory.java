package io.lifeboat.store.pack;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where packs live: {@code packs/<first two hex digits>/<id>.pack} for sealed packs (256 fan-out
 * directories keep listings short), {@code packs/.tmp/} for the one being written.
 */
public record PackDirectory(Path root) {
    public Path tmpDir() {
        return root.resolve(".tmp");
    }

    public Path packFile(String id) {
        return root.resolve(id.substring(0, 2)).resolve(id + PackFormat.EXTENSION);
    }

    public void create() throws IOException {
        Files.createDirectories(tmpDir());
    }

    /** Removes packs that were never sealed: their chunks were never indexed or referenced. */
    public int removeUnsealed() throws IOException {
        int n = 0;
        try (Stream<Path> s = Files.list(tmpDir())) {
            for (Path p : s.toList()) {
                Files.deleteIfExists(p);
                n++;
            }
        }
        return n;
    }

    /** Ids of all sealed pack files on disk. */
    public List<String> list() throws IOException {
        List<String> ids = new ArrayList<>();
        try (Stream<Path> fans = Files.list(root)) {
            for (Path fan : fans.filter(p -> p.getFileName().toString().length() == 2).toList()) {
                try (Stream<Path> files = Files.list(fan)) {
                    files.map(f -> f.getFileName().toString())
                            .filter(n -> n.endsWith(PackFormat.EXTENSION))
                            .map(n -> n.substring(0, n.length() - PackFormat.EXTENSION.length()))
                            .filter(PackId::isValid)
                            .forEach(ids::add);
                }
            }
        }
        return ids;
    }

    public void delete(String id) throws IOException {
        Path f = packFile(id);
        Files.deleteIfExists(f);
        fsyncDir(f.getParent());
    }

    public static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
