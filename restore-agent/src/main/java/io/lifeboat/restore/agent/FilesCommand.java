package io.lifeboat.restore.agent;

import io.lifeboat.cli.ExitCode;
import io.lifeboat.restore.files.FileRestore;
import io.lifeboat.restore.files.GuestEntry;
import io.lifeboat.restore.files.GuestFilesystem;
import io.lifeboat.restore.files.GuestPath;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * {@code restore-agent files}: single files from a restore point, from the store or from the
 * bucket alone (a recovery site), without restoring a disk. Each call opens a file restore
 * session (the disks served over NBD to libguestfs' appliance, a small VM: nothing is mounted on
 * this machine), does one thing and closes it.
 */
@Command(name = "files", mixinStandardHelpOptions = true,
        description = "Read files of a restore point without restoring a disk: its file systems (no option), a"
                + " directory's entries (--ls), a file (--get) or a directory as tar (--tar) or zip (--zip). The disks"
                + " are read by"
                + " libguestfs' appliance, a small VM, and never mounted on this machine; each call boots it"
                + " (seconds; longer without KVM).")
final class FilesCommand extends RestoreAgent.Verb {

    @Parameters(index = "0", paramLabel = "RESTORE_POINT", description = "The restore point, <vm>/<time>.")
    String point;

    @Option(names = "--fs", paramLabel = "DEVICE", description = "File system, as listed (/dev/sda1, /dev/vg0/root);"
            + " default: the first one.")
    String fs;

    @Option(names = "--ls", paramLabel = "PATH", description = "List this directory.")
    String ls;

    @Option(names = "--get", paramLabel = "PATH", description = "Write this file to --output.")
    String get;

    @Option(names = "--tar", paramLabel = "PATH", description = "Write this directory, as a tar, to --output.")
    String tar;

    @Option(names = "--zip", paramLabel = "PATH", description = "Write this directory, as a zip, to --output.")
    String zip;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where --get, --tar or --zip writes; must not"
            + " exist (default: the file's name, or <directory>.tar or .zip, here).")
    Path output;

    @Option(names = "--work", paramLabel = "DIR", description = "Where the session's socket and downloads go while it"
            + " runs (default: a new directory under /tmp, removed at the end).")
    Path work;

    @Option(names = "--kvm", description = "Run the appliance with KVM where the host has it working (default: TCG).")
    boolean kvm;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (Stream.of(ls, get, tar, zip).filter(o -> o != null).count() > 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give one of --ls, --get, --tar and --zip");
        }
        String download = get != null ? get : tar != null ? tar : zip;
        if (output != null && download == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--output goes with --get, --tar or --zip");
        }
        RestorePointId id;
        try {
            id = RestorePointId.parse(point);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        GuestPath path = GuestPath.of(ls != null ? ls : download != null ? download : "/");
        Path target = null;
        if (download != null) {
            target = output != null ? output : Path.of(fileName(path) + (tar != null ? ".tar" : zip != null ? ".zip" : ""));
            if (Files.exists(target)) {
                System.err.println("restore-agent: " + target + " exists already; give another --output");
                return ExitCode.CONFLICT;
            }
        }
        Path root = work != null ? work : Files.createTempDirectory("lifeboat-files-");
        try (RestoreAgent.Source opened = open()) {
            Manifest manifest = opened.source().manifest(id);
            try (FileRestore session = FileRestore.open(UUID.randomUUID().toString().substring(0, 8),
                    root.resolve("session"), manifest, opened.source().chunks(), new FileRestore.Options(!kvm, 64))) {
                String device = fs != null ? fs : session.filesystems().get(0).device();
                if (ls != null) {
                    List<GuestEntry> entries = session.list(device, path);
                    print(entries, listing(entries));
                } else if (download != null) {
                    try (FileRestore.Download d = get != null ? session.download(device, path)
                            : tar != null ? session.tar(device, path) : session.zip(device, path)) {
                        Files.move(d.file(), target, StandardCopyOption.REPLACE_EXISTING);
                        print(Map.of("file", target.toAbsolutePath().toString(), "sizeBytes", d.sizeBytes()),
                                "wrote " + target + " (" + d.sizeBytes() + " bytes)");
                    }
                } else {
                    print(session.filesystems(), filesystems(session.filesystems()));
                }
            }
        } finally {
            if (work == null) {
                try (Stream<Path> left = Files.walk(root)) {
                    left.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        return ExitCode.OK;
    }

    private static String fileName(GuestPath path) {
        String p = path.value();
        String name = p.substring(p.lastIndexOf('/') + 1);
        return name.isEmpty() ? "root" : name;
    }

    private static String filesystems(List<GuestFilesystem> found) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-24s %-8s %-16s %s%n", "DEVICE", "TYPE", "LABEL", "SIZE"));
        found.forEach(f -> b.append(String.format(Locale.ROOT, "%-24s %-8s %-16s %d%n", f.device(), f.type(), f.label(),
                f.sizeBytes())));
        return b.toString().stripTrailing();
    }

    private static String listing(List<GuestEntry> entries) {
        StringBuilder b = new StringBuilder();
        entries.forEach(e -> b.append(String.format(Locale.ROOT, "%s %-7s %12d %s %s%n", e.mode(),
                e.type().name().toLowerCase(Locale.ROOT), e.sizeBytes(), e.mtime(), e.name())));
        return entries.isEmpty() ? "(empty)" : b.toString().stripTrailing();
    }
}
