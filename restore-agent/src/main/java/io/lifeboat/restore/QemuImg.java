package io.lifeboat.restore;

import io.lifeboat.store.StoreException.Kind;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code qemu-img} tool (Debian's qemu-utils): turns a restored raw disk into qcow2, and makes
 * the overlays instant recovery runs VMs on.
 */
public final class QemuImg {

    private QemuImg() {
    }

    /**
     * Converts a raw image into a new qcow2 file. {@code convert} skips zero clusters, so the
     * holes of the sparse raw file stay unallocated in the qcow2.
     */
    static void rawToQcow2(Path raw, Path qcow2) throws RestoreException {
        run(List.of("qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", raw.toString(), qcow2.toString()),
                "convert " + raw + " to qcow2");
    }

    /** A new qcow2 overlay of {@code size} bytes backed by the raw NBD export {@code export} on a unix socket. */
    public static void nbdOverlay(Path overlay, String export, Path socket, long size) throws RestoreException {
        run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b",
                "nbd+unix:///" + export + "?socket=" + socket, overlay.toString(), Long.toString(size)),
                "create overlay " + overlay + " on export " + export);
    }

    private static void run(List<String> command, String what) throws RestoreException {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            int exit = process.waitFor();
            if (exit != 0) {
                throw new RestoreException(output.contains("No space left") ? Kind.NO_SPACE : Kind.IO,
                        "cannot " + what + ": qemu-img exited with " + exit + (output.isEmpty() ? "" : ": " + output));
            }
        } catch (IOException e) {
            throw new RestoreException(Kind.IO, "cannot run qemu-img (install qemu-utils): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreException(Kind.IO, "interrupted while trying to " + what, e);
        }
    }
}
