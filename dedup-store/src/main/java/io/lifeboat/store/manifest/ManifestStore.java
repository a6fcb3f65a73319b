package io.lifeboat.store.manifest;

import io.lifeboat.store.CrashPoint;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.pack.PackDirectory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The {@code manifests/} directory: {@code manifests/<vm>/<time>.manifest}. A manifest is written
 * to {@code manifests/.tmp/}, fsynced, renamed into place and the directory fsynced: it either
 * exists whole or not at all, and it is written only after every chunk it names is durable.
 */
public final class ManifestStore {
    public static final String EXTENSION = ".manifest";
    private final Path root;

    public ManifestStore(Path root) {
        this.root = root;
    }

    public void create() throws IOException {
        Files.createDirectories(root.resolve(".tmp"));
    }

    public int removeUnfinished() throws IOException {
        int n = 0;
        try (Stream<Path> s = Files.list(root.resolve(".tmp"))) {
            for (Path p : s.toList()) {
                Files.deleteIfExists(p);
                n++;
            }
        }
        return n;
    }

    public Path file(RestorePointId id) {
        return root.resolve(id.vm()).resolve(id.timePart() + EXTENSION);
    }

    public boolean exists(RestorePointId id) {
        return Files.exists(file(id));
    }

    public void commit(Manifest m) throws StoreException {
        byte[] bytes = ManifestFormat.encode(m);
        Path target = file(m.id());
        Path tmp = root.resolve(".tmp").resolve(UUID.randomUUID() + ".tmp");
        try {
            Files.createDirectories(target.getParent());
            if (Files.exists(target)) {
                throw new StoreException(StoreException.Kind.CONFLICT, "restore point " + m.id() + " already exists");
            }
            CrashPoint.reach("manifest.before-write");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            CrashPoint.reach("manifest.before-rename");
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            PackDirectory.fsyncDir(target.getParent());
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // removed when the store is next opened
            }
            throw StoreException.io("writing manifest " + m.id(), e);
        }
    }

    public Manifest read(RestorePointId id) throws StoreException {
        Path f = file(id);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            throw new StoreException(StoreException.Kind.NOT_FOUND, "no restore point " + id);
        } catch (IOException e) {
            throw StoreException.io("reading manifest " + id, e);
        }
        Manifest m = ManifestFormat.decode(bytes, id.toString());
        if (!m.id().equals(id)) {
            throw new CorruptManifestException(id.toString(), "file holds restore point " + m.id());
        }
        return m;
    }

    /** All restore point ids, in VM then time order; files that are not manifests are ignored. */
    public List<RestorePointId> list() throws StoreException {
        List<RestorePointId> ids = new ArrayList<>();
        try (Stream<Path> vms = Files.list(root)) {
            for (Path vmDir : vms.filter(Files::isDirectory).toList()) {
                String vm = vmDir.getFileName().toString();
                if (vm.startsWith(".")) {
                    continue;
                }
                try (Stream<Path> files = Files.list(vmDir)) {
                    for (Path f : files.toList()) {
                        String n = f.getFileName().toString();
                        if (!n.endsWith(EXTENSION)) {
                            continue;
                        }
                        try {
                            ids.add(RestorePointId.parse(vm + "/" + n.substring(0, n.length() - EXTENSION.length())));
                        } catch (IllegalArgumentException ignored) {
                            // not ours
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw StoreException.io("listing manifests", e);
        }
        ids.sort(null);
        return ids;
    }

    public void delete(RestorePointId id) throws StoreException {
        Path f = file(id);
        try {
            if (!Files.deleteIfExists(f)) {
                throw new StoreException(StoreException.Kind.NOT_FOUND, "no restore point " + id);
            }
            PackDirectory.fsyncDir(f.getParent());
        } catch (IOException e) {
            throw StoreException.io("deleting restore point " + id, e);
        }
    }
}
