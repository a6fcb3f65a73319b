package io.lifeboat.appliance.api;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.Principal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import io.lifeboat.appliance.catalog.AuditEntry;
import io.lifeboat.appliance.catalog.AuditLog;
import io.lifeboat.appliance.restore.FileSessions;
import io.lifeboat.restore.files.FileRestore;
import io.lifeboat.restore.files.GuestEntry;
import io.lifeboat.restore.files.GuestFilesystem;
import io.lifeboat.restore.files.GuestPath;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.RestorePointId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * File-level restore: {@code POST /api/restore-points/{vm}/{time}/files} opens a session whose
 * file systems {@code /api/file-sessions/{id}} lists, downloads from (a file, or a directory as
 * tar) and closes. See docs/api.md, "File-level restore", and docs/file-restore.md.
 */
@RestController
@Tag(name = "File-level restore")
class FileSessionController {

    private static final String START = "restore-point.files";
    private static final String DOWNLOAD = "file-session.download";
    private static final String CLOSE = "file-session.close";
    private static final String PUT_BACK = "file-session.put-back";

    private final FileSessions sessions;
    private final AuditLog audit;
    private final HostParameter hosts;

    FileSessionController(FileSessions sessions, AuditLog audit, HostParameter hosts) {
        this.sessions = sessions;
        this.audit = audit;
        this.hosts = hosts;
    }

    /**
     * An open session.
     *
     * @param filesystems what libguestfs found on the disks: device ({@code /dev/sda1}, {@code /dev/vg/root}),
     *                    type, label and the device's size
     */
    record SessionView(String id, String restorePoint, List<GuestFilesystem> filesystems) {
        static SessionView of(FileRestore s) {
            return new SessionView(s.id(), s.restorePoint(), s.filesystems());
        }
    }

    /**
     * One directory entry (a symbolic link as the link).
     *
     * @param type file, dir, symlink or other
     * @param mode permission bits in octal, e.g. {@code 0644}
     */
    record EntryView(String name, String type, long sizeBytes, String mode, Instant mtime) {
        static EntryView of(GuestEntry e) {
            return new EntryView(e.name(), e.type().name().toLowerCase(Locale.ROOT), e.sizeBytes(), e.mode(), e.mtime());
        }
    }

    @PostMapping("/api/restore-points/{vm}/{time}/files")
    @Operation(summary = "Open a file-level restore session on a restore point",
            description = "Serves the restore point's disks read-only over NBD to libguestfs' appliance (a small VM: the"
                    + " guest file systems are never mounted on the host) and lists their file systems. Takes as long as"
                    + " the appliance's boot (seconds, more without KVM). 201; 400 bad input or no readable file system;"
                    + " 404 unknown restore point.")
    @ApiResponse(responseCode = "201", description = "the session, with its file systems",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = SessionView.class)))
    @ApiResponse(responseCode = "400", description = "a bad restore point id, or no file system libguestfs can read",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "404", description = "unknown restore point",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemDetail.class)))
    ResponseEntity<SessionView> open(@PathVariable String vm, @PathVariable String time, Principal user) throws StoreException {
        RestorePointId id = RestoreTarget.restorePoint(vm, time);
        FileRestore session;
        try {
            session = sessions.open(id);
        } catch (StoreException | RuntimeException e) {
            audit.record(user.getName(), START, id.toString(), AuditEntry.Outcome.FAILED, e.getMessage());
            throw e;
        }
        audit.record(user.getName(), START, id.toString(), AuditEntry.Outcome.SUCCEEDED, "session " + session.id());
        return ResponseEntity.created(URI.create("/api/file-sessions/" + session.id())).body(SessionView.of(session));
    }

    @GetMapping("/api/file-sessions/{id}")
    @Operation(summary = "Show a file-level restore session")
    SessionView show(@PathVariable String id) throws StoreException {
        return SessionView.of(sessions.get(id));
    }

    @GetMapping("/api/file-sessions/{id}/ls")
    @Operation(summary = "List a directory of a guest file system",
            description = "Mounts the file system read-only in the appliance if it is not yet. Sorted by name. 400 a bad"
                    + " path or not a directory, or a file system that does not mount; 404 no such session, file system"
                    + " or directory.")
    List<EntryView> list(@PathVariable String id, @RequestParam String fs, @RequestParam(defaultValue = "/") String path)
            throws StoreException {
        return sessions.get(id).list(fs, GuestPath.of(path)).stream().map(EntryView::of).toList();
    }

    @GetMapping("/api/file-sessions/{id}/file")
    @Operation(summary = "Download one file of a guest file system",
            description = "The bytes, as an attachment named after the file. A symbolic link is followed inside the guest"
                    + " file system. 400 a directory (use tar); 404 no such file.")
    ResponseEntity<StreamingResponseBody> file(@PathVariable String id, @RequestParam String fs, @RequestParam String path,
                                               Principal user) throws StoreException {
        GuestPath p = GuestPath.of(path);
        FileRestore session = sessions.get(id);
        return stream(user, id, fs, p, MediaType.APPLICATION_OCTET_STREAM, () -> session.download(fs, p));
    }

    @GetMapping("/api/file-sessions/{id}/tar")
    @Operation(summary = "Download a directory of a guest file system as tar",
            description = "An uncompressed tar archive of the directory and everything under it, names relative to it."
                    + " 400 not a directory; 404 no such directory.")
    ResponseEntity<StreamingResponseBody> tar(@PathVariable String id, @RequestParam String fs, @RequestParam String path,
                                              Principal user) throws StoreException {
        GuestPath p = GuestPath.of(path);
        FileRestore session = sessions.get(id);
        return stream(user, id, fs, p, MediaType.parseMediaType("application/x-tar"), () -> session.tar(fs, p));
    }

    @GetMapping("/api/file-sessions/{id}/zip")
    @Operation(summary = "Download a directory of a guest file system as zip",
            description = "A zip archive (deflated) of the directory and everything under it, names relative to it;"
                    + " modes, times and symbolic links kept, hard links as copies, device and FIFO nodes left out."
                    + " 400 not a directory; 404 no such directory.")
    ResponseEntity<StreamingResponseBody> zip(@PathVariable String id, @RequestParam String fs, @RequestParam String path,
                                              Principal user) throws StoreException {
        GuestPath p = GuestPath.of(path);
        FileRestore session = sessions.get(id);
        return stream(user, id, fs, p, MediaType.parseMediaType("application/zip"), () -> session.zip(fs, p));
    }

    /** Makes the download (audited either way) and answers with its bytes; the temporary file goes once they are sent. */
    private ResponseEntity<StreamingResponseBody> stream(Principal user, String id, String fs, GuestPath path, MediaType type,
                                                         AuditLog.Work<FileRestore.Download, StoreException> download)
            throws StoreException {
        FileRestore.Download d;
        try {
            d = download.run();
        } catch (StoreException | RuntimeException e) {
            audit.record(user.getName(), DOWNLOAD, id, AuditEntry.Outcome.FAILED, fs + ":" + path + ": " + e.getMessage());
            throw e;
        }
        audit.record(user.getName(), DOWNLOAD, id, AuditEntry.Outcome.SUCCEEDED,
                fs + ":" + path + " as " + d.name() + " (" + d.sizeBytes() + " bytes)");
        StreamingResponseBody body = out -> {
            try (d; InputStream in = Files.newInputStream(d.file())) {
                in.transferTo(out);
            }
        };
        return ResponseEntity.ok().contentType(type).contentLength(d.sizeBytes())
                .header(HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment().filename(d.name(), StandardCharsets.UTF_8).build().toString())
                .body(body);
    }

    /**
     * Where a file of the session goes back to: a running VM (on {@code host}, default the default
     * libvirt host) and a path in it (default: the file's own path).
     */
    record PutBackBody(String fs, String path, String vm, String host, String target, Boolean overwrite) {
    }

    @PostMapping("/api/file-sessions/{id}/put-back")
    @Operation(summary = "Put a file of a guest file system back into a running VM",
            description = "Writes the file into the VM through its guest agent (to a temporary file beside the target, given"
                    + " the file's mode, then renamed over it: never a half-written target). 200 with what was written;"
                    + " 400 not a file or a bad path; 404 no such session, file or VM; 409 the VM is not running, the target"
                    + " exists and overwrite is not set, or the agent refused; 422 no guest agent answers.")
    FileSessions.PutBack putBack(@PathVariable String id, @org.springframework.web.bind.annotation.RequestBody PutBackBody body,
                                 Principal user) throws StoreException {
        if (body == null || body.fs() == null || body.path() == null || body.vm() == null) {
            throw io.lifeboat.restore.RestoreException.badInput("fs, path and vm are required: which file, and which running VM"
                    + " it goes back into");
        }
        GuestPath from = GuestPath.of(body.path());
        GuestPath to = body.target() == null ? from : GuestPath.of(body.target());
        if (to.isRoot()) {
            throw io.lifeboat.restore.RestoreException.badInput("target must name a file, not /");
        }
        String uri = hosts.resolve(body.host());
        return audit.audited(user.getName(), PUT_BACK, id, body.fs() + ":" + from + " -> " + body.vm() + ":" + to,
                () -> sessions.putBack(id, body.fs(), from, uri, body.vm(), to, Boolean.TRUE.equals(body.overwrite())));
    }

    @DeleteMapping("/api/file-sessions/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Close a file-level restore session",
            description = "Stops its appliance and export and deletes its temporary files; 204, 404 no such session.")
    void close(@PathVariable String id, Principal user) throws StoreException {
        audit.audited(user.getName(), CLOSE, id, null, () -> {
            sessions.close(id);
            return null;
        });
    }
}
