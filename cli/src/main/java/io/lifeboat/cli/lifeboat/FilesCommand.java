package io.lifeboat.cli.lifeboat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.cli.Sizes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * {@code lifeboat files ...}: file-level restore, {@code POST /api/restore-points/{vm}/{time}/files}
 * and {@code /api/file-sessions/{id}}: open a session, list directories, download a file or a
 * directory as tar or zip, close it.
 */
@Command(name = "files", mixinStandardHelpOptions = true,
        description = "Get single files back from a restore point without restoring a disk: open a session on it, list"
                + " its file systems' directories, download files (or directories as tar or zip), close it.",
        subcommands = {FilesCommand.Open.class, FilesCommand.Ls.class, FilesCommand.Get.class, FilesCommand.Tar.class,
                FilesCommand.Zip.class, FilesCommand.Close.class})
final class FilesCommand {

    static String path(String id) {
        return "/api/file-sessions/" + ApplianceClient.segment(id);
    }

    static String query(String fs, String path) {
        return "?fs=" + URLEncoder.encode(fs, StandardCharsets.UTF_8) + "&path=" + URLEncoder.encode(path, StandardCharsets.UTF_8);
    }

    @Command(name = "open", mixinStandardHelpOptions = true,
            description = "Open a session on a restore point (its disks are read by libguestfs' appliance; this takes a few"
                    + " seconds) and list its file systems.")
    static final class Open extends Verb {
        @Parameters(paramLabel = "RESTORE_POINT", description = "VM/TIME, e.g. web01/20261127T070102.123Z.")
        String restorePoint;

        @Override
        void run() throws CommandFailure, InterruptedException {
            print(api().post(RestorePointCommand.path(restorePoint) + "/files", null), Open::text);
        }

        static String text(JsonNode s) {
            Table t = new Table("FILE SYSTEM", "TYPE", "LABEL", "SIZE");
            s.path("filesystems").forEach(f -> t.row(f.path("device").asText(), f.path("type").asText(),
                    f.path("label").asText(), Sizes.human(f.path("sizeBytes").asLong())));
            return "file session " + s.path("id").asText() + " on " + s.path("restorePoint").asText() + "\n\n"
                    + t.render("no file systems");
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List a directory of one of the session's file systems.")
    static final class Ls extends Verb {
        @Parameters(index = "0", paramLabel = "SESSION", description = "The session (8 hex digits).")
        String id;
        @Option(names = "--fs", required = true, paramLabel = "DEVICE", description = "The file system, e.g. /dev/sda1.")
        String fs;
        @Parameters(index = "1", arity = "0..1", paramLabel = "PATH", description = "An absolute path (default /).")
        String dir = "/";

        @Override
        void run() throws CommandFailure, InterruptedException {
            print(api().get(path(id) + "/ls" + query(fs, dir)), Ls::table);
        }

        static String table(JsonNode entries) {
            Table t = new Table("MODE", "TYPE", "SIZE", "MTIME", "NAME");
            entries.forEach(e -> t.row(e.path("mode").asText(), e.path("type").asText(),
                    Long.toString(e.path("sizeBytes").asLong()), e.path("mtime").asText(), e.path("name").asText()));
            return t.render("empty directory");
        }
    }

    /** What {@code get} and {@code tar} share: where from and where to. */
    abstract static class Download extends Verb {
        @Parameters(index = "0", paramLabel = "SESSION", description = "The session (8 hex digits).")
        String id;
        @Option(names = "--fs", required = true, paramLabel = "DEVICE", description = "The file system, e.g. /dev/sda1.")
        String fs;
        @Parameters(index = "1", paramLabel = "PATH", description = "An absolute path in the file system.")
        String from;
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where to write it (default: its name, here).")
        Path output;

        abstract String kind();

        abstract String defaultName();

        @Override
        void run() throws CommandFailure, InterruptedException {
            Path target = output != null ? output : Path.of(defaultName());
            long bytes = api().download(path(id) + "/" + kind() + query(fs, from), target);
            print(ApplianceClient.JSON.createObjectNode().put("file", target.toString()).put("sizeBytes", bytes),
                    x -> fs + ":" + from + " -> " + target + " (" + Sizes.human(bytes) + ")");
        }

        String lastName() {
            String trimmed = from.replaceAll("/+$", "");
            return trimmed.isEmpty() ? "root" : trimmed.substring(trimmed.lastIndexOf('/') + 1);
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Download one file.")
    static final class Get extends Download {
        @Override
        String kind() {
            return "file";
        }

        @Override
        String defaultName() {
            return lastName();
        }
    }

    @Command(name = "tar", mixinStandardHelpOptions = true, description = "Download a directory as an uncompressed tar archive.")
    static final class Tar extends Download {
        @Override
        String kind() {
            return "tar";
        }

        @Override
        String defaultName() {
            return lastName() + ".tar";
        }
    }

    @Command(name = "zip", mixinStandardHelpOptions = true, description = "Download a directory as a zip archive.")
    static final class Zip extends Download {
        @Override
        String kind() {
            return "zip";
        }

        @Override
        String defaultName() {
            return lastName() + ".zip";
        }
    }

    @Command(name = "close", mixinStandardHelpOptions = true,
            description = "Close a session (it also closes by itself after some idle minutes).")
    static final class Close extends Verb {
        @Parameters(paramLabel = "SESSION", description = "The session (8 hex digits).")
        String id;

        @Override
        void run() throws CommandFailure, InterruptedException {
            api().delete(path(id));
            print(ApplianceClient.JSON.createObjectNode().put("id", id).put("closed", true), x -> "closed file session " + id);
        }
    }
}
