package io.lifeboat.appliance.restore;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import io.lifeboat.appliance.inventory.InventoryException;
import io.lifeboat.appliance.inventory.InventoryException.Kind;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes a file into a running guest through its QEMU guest agent, the way a restored file goes
 * back to where it was without a network path into the guest: {@code guest-file-open},
 * {@code guest-file-write} in pieces, {@code guest-file-close}. The bytes go to a temporary file
 * beside the target, which {@code guest-exec} then gives the original's mode ({@code chmod}) and
 * moves over the target ({@code mv -f}, a rename in one file system): a guest never sees a target
 * half written, and an interrupted put-back leaves at most the temporary file
 * ({@code .<name>.lifeboat-<id>}), never a truncated original. {@code guest-exec} makes it a
 * Linux (POSIX) guest's feature; an agent that refuses a command is named in the error.
 */
final class GuestAgentFiles {

    /**
     * Raw bytes per {@code guest-file-write}. The agent parses each request's JSON a character at a
     * time, so a large piece costs more than its transfer: a 1 MiB piece (1.4 MB of base64) took a
     * TCG guest longer than a minute; 64 KiB ones go through in well under a second each.
     */
    static final int PIECE = 64 << 10;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Domain domain;
    private final String vm;
    private final Duration timeout;

    GuestAgentFiles(Domain domain, String vm, Duration timeout) {
        this.domain = domain;
        this.vm = vm;
        this.timeout = timeout;
    }

    /** Whether {@code path} exists in the guest (as anything the agent can open for reading). */
    boolean exists(String path) {
        long handle;
        try {
            handle = command("guest-file-open", JSON.createObjectNode().put("path", path).put("mode", "r")).asLong();
        } catch (InventoryException e) {
            if (e.getMessage().contains("No such file")) {
                return false;
            }
            throw e;
        }
        command("guest-file-close", JSON.createObjectNode().put("handle", handle));
        return true;
    }

    /**
     * Writes {@code bytes} to {@code target}, replacing what is there, with permission bits
     * {@code mode} (octal, as {@code "0644"}).
     */
    long write(String target, InputStream bytes, String mode) throws IOException {
        int slash = target.lastIndexOf('/');
        String part = target.substring(0, slash + 1) + "." + target.substring(slash + 1) + ".lifeboat-"
                + UUID.randomUUID().toString().substring(0, 8);
        long handle = command("guest-file-open", JSON.createObjectNode().put("path", part).put("mode", "w")).asLong();
        long written = 0;
        boolean moved = false;
        try {
            RuntimeException failed = null;
            try {
                byte[] piece = new byte[PIECE];
                int n;
                while ((n = bytes.readNBytes(piece, 0, piece.length)) > 0) {
                    ObjectNode args = JSON.createObjectNode().put("handle", handle)
                            .put("buf-b64", Base64.getEncoder().encodeToString(n == piece.length ? piece : Arrays.copyOf(piece, n)));
                    long count = command("guest-file-write", args).path("count").asLong();
                    if (count != n) {
                        throw new InventoryException(Kind.CONFLICT, "the guest agent of " + vm + " wrote " + count + " of " + n
                                + " bytes to " + part + " (is the guest's disk full?)");
                    }
                    written += n;
                }
                command("guest-file-flush", JSON.createObjectNode().put("handle", handle));
            } catch (RuntimeException e) {
                failed = e;
                throw e;
            } finally {
                try {
                    command("guest-file-close", JSON.createObjectNode().put("handle", handle));
                } catch (RuntimeException e) {
                    if (failed == null) {
                        throw e;
                    }
                    failed.addSuppressed(e); // the first failure is the one to report
                }
            }
            exec("/bin/chmod", mode, part);
            exec("/bin/mv", "-f", part, target);
            moved = true;
            return written;
        } finally {
            if (!moved) {
                try {
                    exec("/bin/rm", "-f", part);
                } catch (InventoryException leftBehind) {
                    // the error being thrown says what failed; the temporary file is named after the target
                }
            }
        }
    }

    /** Runs a program in the guest (no shell) and waits for it; a non-zero exit is an error with its stderr. */
    private void exec(String path, String... args) {
        ObjectNode request = JSON.createObjectNode().put("path", path).put("capture-output", true);
        var arg = request.putArray("arg");
        List.of(args).forEach(arg::add);
        long pid = command("guest-exec", request).path("pid").asLong();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode status = command("guest-exec-status", JSON.createObjectNode().put("pid", pid));
            if (status.path("exited").asBoolean()) {
                int exit = status.path("exitcode").asInt(-1);
                if (exit != 0) {
                    String err = status.has("err-data")
                            ? new String(Base64.getDecoder().decode(status.path("err-data").asString())).strip() : "";
                    throw new InventoryException(Kind.CONFLICT, "in " + vm + ", " + path + " " + String.join(" ", args)
                            + " exited with " + exit + (err.isEmpty() ? "" : ": " + err));
                }
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new InventoryException(Kind.TIMEOUT, "in " + vm + ", " + path + " did not end within "
                        + timeout.toSeconds() + " s");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InventoryException(Kind.TIMEOUT, "interrupted waiting for " + path + " in " + vm);
            }
        }
    }

    private JsonNode command(String execute, ObjectNode arguments) {
        String request = JSON.writeValueAsString(JSON.createObjectNode().put("execute", execute).set("arguments", arguments));
        String answer;
        try {
            answer = domain.qemuAgentCommand(request, (int) Math.max(1, timeout.toSeconds()), 0);
        } catch (LibvirtException e) {
            String why = e.getError().getMessage();
            Kind kind = why.contains("not connected") || why.contains("not responding") || why.contains("not configured")
                    ? Kind.UNSUPPORTED : Kind.CONFLICT;
            throw new InventoryException(kind, "the guest agent of " + vm + " refused " + execute + ": " + why);
        }
        return JSON.readTree(answer).path("return");
    }
}
