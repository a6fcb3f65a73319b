package io.lifeboat.restore.files;

import io.lifeboat.nbd.NbdExport;
import io.lifeboat.nbd.NbdServer;
import io.lifeboat.nbd.NbdServerOptions;
import io.lifeboat.restore.RestoreException;
import io.lifeboat.restore.instant.RestorePointExport;
import io.lifeboat.store.StoreException.Kind;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.read.ChunkSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A file-level restore session over one restore point: its disks served read-only over NBD on
 * {@code <dir>/nbd.sock} (one {@link RestorePointExport} per disk, named after it, chunks read on
 * demand), and one {@link Guestfish} server attached to those exports that reads the guest's
 * partitions (MBR, GPT), logical volumes and file systems inside libguestfs' appliance. The host
 * kernel never mounts a guest file system: a corrupt or hostile one can only upset the appliance.
 *
 * <p>A file system is mounted read-only on demand, one at a time (browsing another one unmounts
 * the first). Downloads go to temporary files under {@code <dir>/downloads} that the caller
 * streams and closes. Commands of one session run one after another. {@link #close} stops the
 * guestfish server (and its appliance) and the export and deletes the directory.
 */
public final class FileRestore implements AutoCloseable {
    /** sun_path holds 107 bytes and a NUL. */
    private static final int MAX_SOCKET_PATH = 107;
    /** Names per {@code lstatnslist}: a few hundred keep one guestfish message small. */
    private static final int STAT_BATCH = 256;

    /**
     * @param forceTcg       run the appliance without KVM (hosts where it is missing or broken)
     * @param cacheChunks    decoded chunks each disk's export keeps in memory
     * @param commandTimeout how long one guestfish command (the launch, a listing, a download) may
     *                       take before the session's appliance is stopped
     */
    public record Options(boolean forceTcg, int cacheChunks, Duration commandTimeout) {
        /** A command's default deadline: a tar of a large directory under TCG takes minutes. */
        public static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(15);

        public Options {
            if (cacheChunks < 0) {
                throw new IllegalArgumentException("cacheChunks must not be negative");
            }
            if (commandTimeout.isNegative() || commandTimeout.isZero()) {
                throw new IllegalArgumentException("the guestfish command timeout must be positive");
            }
        }

        public Options(boolean forceTcg, int cacheChunks) {
            this(forceTcg, cacheChunks, COMMAND_TIMEOUT);
        }
    }

    /**
     * A downloaded file, tar or zip archive in the session directory; closing it deletes it.
     *
     * @param name what to call it when sent to the user ({@code hostname}, {@code log.tar}, {@code log.zip})
     */
    public record Download(Path file, String name, long sizeBytes) implements AutoCloseable {
        @Override
        public void close() {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the session directory goes when the session closes
            }
        }
    }

    private final String id;
    private final String restorePoint;
    private final Path dir;
    private final NbdServer server;
    private final Guestfish guestfish;
    private final List<GuestFilesystem> filesystems;
    private final Duration launchTime;
    private String mounted;
    private boolean closed;
    private volatile long lastUsed = System.nanoTime();

    private FileRestore(String id, String restorePoint, Path dir, NbdServer server, Guestfish guestfish,
                        List<GuestFilesystem> filesystems, Duration launchTime) {
        this.id = id;
        this.restorePoint = restorePoint;
        this.dir = dir;
        this.server = server;
        this.guestfish = guestfish;
        this.filesystems = List.copyOf(filesystems);
        this.launchTime = launchTime;
    }

    /**
     * Serves the restore point's disks, launches the appliance on them and lists their file
     * systems. {@code dir} must not exist; it is created and, on any failure, removed again with
     * nothing left running. A restore point with no file system libguestfs can read is BAD_INPUT.
     */
    public static FileRestore open(String id, Path dir, Manifest manifest, ChunkSource source, Options options)
            throws RestoreException {
        if (manifest.disks().isEmpty()) {
            throw RestoreException.badInput("restore point " + manifest.id() + " has no disks");
        }
        Path socket = dir.resolve("nbd.sock");
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            throw RestoreException.badInput("session socket " + socket + " is longer than the " + MAX_SOCKET_PATH
                    + " bytes a unix socket path may have; use a shorter directory");
        }
        NbdServer server = null;
        Guestfish guestfish = null;
        try {
            Files.createDirectories(dir.getParent());
            Files.createDirectory(dir);
            List<NbdExport> exports = new ArrayList<>();
            List<String> drives = new ArrayList<>();
            for (DiskMap disk : manifest.disks()) {
                exports.add(new RestorePointExport(disk.name(), disk, source, options.cacheChunks(), 0, null));
                drives.add("nbd:///" + disk.name() + "?socket=" + socket);
            }
            server = NbdServer.start(NbdServerOptions.unix(socket), exports);
            long started = System.nanoTime();
            guestfish = Guestfish.listen(dir, drives, options.forceTcg(), options.commandTimeout());
            guestfish.launch();
            Duration launch = Duration.ofNanos(System.nanoTime() - started);
            List<GuestFilesystem> found = filesystems(guestfish, manifest);
            return new FileRestore(id, manifest.id().toString(), dir, server, guestfish, found, launch);
        } catch (RestoreException | RuntimeException e) {
            closeQuietly(guestfish, server, dir);
            throw e;
        } catch (IOException e) {
            closeQuietly(guestfish, server, dir);
            throw new RestoreException(Kind.IO, "cannot start a file restore of " + manifest.id() + ": " + e.getMessage(), e);
        }
    }

    private static List<GuestFilesystem> filesystems(Guestfish guestfish, Manifest manifest) throws RestoreException {
        String listed = guestfish.run("list-filesystems");
        List<GuestFilesystem> found = new ArrayList<>();
        for (String line : listed.split("\n")) {
            int colon = line.lastIndexOf(": ");
            if (colon < 0) {
                continue;
            }
            String device = line.substring(0, colon);
            String type = line.substring(colon + 2).strip();
            if (type.equals("unknown") || type.equals("swap")) {
                continue;
            }
            String label;
            try {
                label = guestfish.run("vfs-label", device).strip();
            } catch (Guestfish.Failure noLabel) {
                label = "";
            }
            long size = Long.parseLong(guestfish.run("blockdev-getsize64", device).strip());
            found.add(new GuestFilesystem(device, type, label, size));
        }
        if (found.isEmpty()) {
            List<String> disks = manifest.disks().stream().map(DiskMap::name).toList();
            throw RestoreException.badInput("restore point " + manifest.id() + " has no file system that can be read"
                    + " on its disks " + disks + " (libguestfs found: "
                    + (listed.isBlank() ? "nothing" : String.join(", ", listed.strip().split("\n"))) + ")");
        }
        return found;
    }

    public String id() {
        return id;
    }

    /** The restore point, {@code vm/time}. */
    public String restorePoint() {
        return restorePoint;
    }

    public List<GuestFilesystem> filesystems() {
        return filesystems;
    }

    /** How long starting guestfish and booting its appliance took. */
    public Duration launchTime() {
        return launchTime;
    }

    /** Since the last command. */
    public Duration idle() {
        return Duration.ofNanos(System.nanoTime() - lastUsed);
    }

    /** The pid of the guestfish server. */
    public long guestfishPid() {
        return guestfish.pid();
    }

    /** The entries of a directory, sorted by name, without {@code .} and {@code ..}. */
    public synchronized List<GuestEntry> list(String fs, GuestPath path) throws RestoreException {
        mount(fs);
        String listed;
        try {
            listed = guestfish.run("ls", path.value());
        } catch (Guestfish.Failure e) {
            throw failure(e, fs, path);
        }
        List<String> names = listed.lines().filter(n -> !n.isEmpty()).toList();
        List<String> batch = new ArrayList<>();
        List<GuestEntry> entries = new ArrayList<>();
        for (String name : names) {
            if (name.chars().anyMatch(c -> Character.isWhitespace(c) || c == '"' || c == '\'' || c == '\\')) {
                // not safe in guestfish's space-separated list: one lstat of its own
                entries.addAll(stats(path, List.of(name), guestfish.run("lstatns", path.child(name))));
                continue;
            }
            batch.add(name);
            if (batch.size() == STAT_BATCH) {
                entries.addAll(statBatch(fs, path, batch));
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            entries.addAll(statBatch(fs, path, batch));
        }
        entries.sort(Comparator.comparing(GuestEntry::name));
        touch();
        return entries;
    }

    /** One entry's type, size, mode and time; a symbolic link is followed, as {@link #download} does. */
    public synchronized GuestEntry stat(String fs, GuestPath path) throws RestoreException {
        mount(fs);
        try {
            GuestEntry e = stats(path, List.of(path.fileName()), guestfish.run("statns", path.value())).get(0);
            touch();
            return e;
        } catch (Guestfish.Failure e) {
            throw failure(e, fs, path);
        }
    }

    private List<GuestEntry> statBatch(String fs, GuestPath dir, List<String> names) throws RestoreException {
        try {
            return stats(dir, names, guestfish.run("lstatnslist", dir.value(), String.join(" ", names)));
        } catch (Guestfish.Failure e) {
            throw failure(e, fs, dir);
        }
    }

    /** Parses guestfish's printout of one or more {@code statns} structs, in the order of {@code names}. */
    private static List<GuestEntry> stats(GuestPath dir, List<String> names, String printed) throws RestoreException {
        List<GuestEntry> entries = new ArrayList<>();
        Map<String, Long> fields = new HashMap<>();
        for (String line : printed.split("\n")) {
            String l = line.strip();
            if (l.equals("}")) {
                entries.add(entry(names.get(entries.size()), fields));
                fields.clear();
            } else if (l.startsWith("st_")) {
                int colon = l.indexOf(": ");
                fields.put(l.substring(0, colon), Long.parseLong(l.substring(colon + 2)));
            }
        }
        if (entries.isEmpty() && fields.containsKey("st_mode")) {
            entries.add(entry(names.get(0), fields)); // lstatns prints one struct without braces
        }
        if (entries.size() != names.size()) {
            throw new RestoreException(Kind.IO, "guestfish printed " + entries.size() + " stat(s) for " + names.size()
                    + " name(s) in " + dir);
        }
        return entries;
    }

    private static GuestEntry entry(String name, Map<String, Long> f) {
        return GuestEntry.of(name, f.get("st_mode"), f.get("st_size"), f.get("st_mtime_sec"), f.getOrDefault("st_mtime_nsec", 0L));
    }

    /** One regular file (a symbolic link is followed inside the guest file system). */
    public synchronized Download download(String fs, GuestPath path) throws RestoreException {
        mount(fs);
        if (isDir(fs, path)) {
            throw RestoreException.badInput(path + " on " + fs + " is a directory; download it as a tar archive");
        }
        Download d = into(path.fileName(), "download", path.value());
        touch();
        return d;
    }

    /** A directory and everything under it as an uncompressed tar archive. */
    public synchronized Download tar(String fs, GuestPath path) throws RestoreException {
        mount(fs);
        if (!isDir(fs, path)) {
            if (exists(path)) {
                throw RestoreException.badInput(path + " on " + fs + " is not a directory; download it as a file");
            }
            throw RestoreException.notFound("no such file or directory: " + path + " on " + fs);
        }
        Download d = into(path.fileName() + ".tar", "tar-out", path.value());
        touch();
        return d;
    }

    /**
     * A directory and everything under it as a zip (deflated; modes, times and symbolic links
     * kept, hard links as copies, device and FIFO nodes left out), made from its tar.
     */
    public synchronized Download zip(String fs, GuestPath path) throws RestoreException {
        try (Download tar = tar(fs, path)) {
            Path file = downloadFile();
            try {
                TarToZip.convert(tar.file(), file);
                return new Download(file, path.fileName() + ".zip", Files.size(file));
            } catch (IOException | RuntimeException e) {
                deleteQuietly(file);
                throw new RestoreException(Kind.IO, "making a zip of " + path + " on " + fs + ": " + e.getMessage(), e);
            }
        }
    }

    private Path downloadFile() throws RestoreException {
        try {
            Path downloads = Files.createDirectories(dir.resolve("downloads"));
            return Files.createTempFile(downloads, "download", ".part");
        } catch (IOException e) {
            throw new RestoreException(Kind.IO, "cannot create a download file in " + dir + ": " + e.getMessage(), e);
        }
    }

    private Download into(String name, String command, String guestPath) throws RestoreException {
        Path file = downloadFile();
        try {
            guestfish.run(command, guestPath, file.toString());
            return new Download(file, name, Files.size(file));
        } catch (Guestfish.Failure e) {
            deleteQuietly(file);
            throw failure(e, mounted, new GuestPath(guestPath));
        } catch (RestoreException | RuntimeException e) {
            deleteQuietly(file);
            throw e;
        } catch (IOException e) {
            deleteQuietly(file);
            throw new RestoreException(Kind.IO, "reading the downloaded " + guestPath + ": " + e.getMessage(), e);
        }
    }

    private boolean isDir(String fs, GuestPath path) throws RestoreException {
        try {
            return guestfish.run("is-dir", path.value()).strip().equals("true");
        } catch (Guestfish.Failure e) {
            throw failure(e, fs, path);
        }
    }

    private boolean exists(GuestPath path) throws RestoreException {
        return guestfish.run("exists", path.value()).strip().equals("true");
    }

    private void mount(String fs) throws RestoreException {
        if (closed) {
            throw RestoreException.notFound("file restore session " + id + " is closed");
        }
        touch();
        GuestFilesystem f = filesystems.stream().filter(x -> x.device().equals(fs)).findFirst().orElseThrow(() ->
                RestoreException.notFound("no file system " + fs + " in file restore session " + id + "; it has "
                        + filesystems.stream().map(GuestFilesystem::device).toList()));
        if (fs.equals(mounted)) {
            return;
        }
        if (mounted != null) {
            guestfish.run("umount-all");
            mounted = null;
        }
        try {
            guestfish.run("mount-ro", fs, "/");
        } catch (Guestfish.Failure e) {
            throw RestoreException.badInput("file system " + fs + " (" + f.type() + ") cannot be mounted: " + e.getMessage());
        }
        mounted = fs;
    }

    private static RestoreException failure(Guestfish.Failure e, String fs, GuestPath path) {
        if (e.kind() == Kind.NOT_FOUND) {
            return RestoreException.notFound("no such file or directory: " + path + " on " + fs);
        }
        if (e.getMessage().contains("Not a directory")) {
            return RestoreException.badInput(path + " on " + fs + " is not a directory");
        }
        return RestoreException.badInput(path + " on " + fs + ": " + e.getMessage());
    }

    private void touch() {
        lastUsed = System.nanoTime();
    }

    public synchronized boolean closed() {
        return closed;
    }

    /** Stops guestfish (and its appliance) and the export, and deletes the session directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(guestfish, server, dir);
    }

    private static void closeQuietly(Guestfish guestfish, NbdServer server, Path dir) {
        if (guestfish != null) {
            guestfish.close();
        }
        if (server != null) {
            try {
                server.close();
            } catch (IOException ignored) {
                // it stops accepting and drops its connections whatever close() reports
            }
        }
        deleteTree(dir);
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(FileRestore::deleteQuietly);
        } catch (IOException | UncheckedIOException ignored) {
            // what is left goes with the next session's cleanup of the root
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }

    @Override
    public String toString() {
        return "file restore " + id + " of " + restorePoint;
    }
}
