package io.lifeboat.appliance.backup;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * One job's private directory, {@code <run root>/<job id>/} (mode 0700):
 * <pre>
 * job.properties           vm, job id, checkpoint the job creates (written before libvirt is asked)
 * nbd.sock                 libvirt's NBD server for a running VM (pull mode)
 * &lt;disk&gt;.scratch.qcow2     libvirt's scratch file per disk: old data copied aside while the guest writes
 * </pre>
 * Deleted when the job ends, whatever the outcome. A directory left behind means the appliance
 * died mid-job; {@link Recovery} reads its job.properties to undo what the job did in libvirt.
 */
final class RunDirectory {
    /** Unix socket paths are limited to 108 bytes including the terminating NUL. */
    private static final int MAX_SOCKET_PATH = 107;
    static final String STATE_FILE = "job.properties";

    private final Path dir;

    private RunDirectory(Path dir) {
        this.dir = dir;
    }

    static RunDirectory create(Path root, String jobId) throws BackupException {
        Path dir = root.resolve(jobId);
        if (dir.resolve("nbd.sock").toAbsolutePath().toString().length() > MAX_SOCKET_PATH) {
            throw new BackupException(BackupException.Kind.BAD_INPUT, "run directory " + root
                    + " is too long a path for a unix socket; configure a shorter one");
        }
        try {
            Files.createDirectories(root);
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new BackupException(BackupException.Kind.FAILED, "cannot create run directory " + dir + ": " + e, e);
        }
        return new RunDirectory(dir);
    }

    static List<RunDirectory> list(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<RunDirectory> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            s.filter(Files::isDirectory).sorted().forEach(p -> out.add(new RunDirectory(p)));
        }
        return out;
    }

    Path path() {
        return dir;
    }

    String jobId() {
        return dir.getFileName().toString();
    }

    Path socket() {
        return dir.resolve("nbd.sock").toAbsolutePath();
    }

    Path scratch(String disk) {
        return dir.resolve(disk + ".scratch.qcow2").toAbsolutePath();
    }

    void writeState(String vm, String checkpoint) throws IOException {
        Properties p = new Properties();
        p.setProperty("vm", vm);
        p.setProperty("job", jobId());
        if (checkpoint != null) {
            p.setProperty("checkpoint", checkpoint);
        }
        Path tmp = dir.resolve(STATE_FILE + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp)) {
            p.store(w, "Lifeboat backup job in progress");
        }
        Files.move(tmp, dir.resolve(STATE_FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static final String FREEZING = "freezing";

    /**
     * Marks, durably, that the job is about to freeze the guest's file systems: if the appliance
     * dies before {@link #thawed()}, {@link Recovery} thaws them.
     */
    void freezing() throws IOException {
        Path f = dir.resolve(FREEZING);
        Files.writeString(f, "the guest's file systems may be frozen by this job\n");
        for (Path synced : List.of(f, dir)) { // the file and its name in the directory
            try (FileChannel c = FileChannel.open(synced, StandardOpenOption.READ)) {
                c.force(true);
            }
        }
    }

    void thawed() throws IOException {
        Files.deleteIfExists(dir.resolve(FREEZING));
    }

    /** True if the job froze, or was freezing, the guest and did not see it thawed. */
    boolean mayHaveFrozen() {
        return Files.exists(dir.resolve(FREEZING));
    }

    /** The state a job wrote, if it got that far. */
    Optional<Properties> readState() {
        Path f = dir.resolve(STATE_FILE);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f)) {
            p.load(r);
            return Optional.of(p);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    void delete() throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
