package io.lifeboat.restore.instant;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Creates the qcow2 overlay a recovered VM writes to, backed by a raw NBD export (qemu-img from qemu-utils). */
final class Overlay {
    private Overlay() {
    }

    static void create(Path overlay, String exportName, Path socket, long size) throws IOException {
        String backing = "nbd+unix:///" + exportName + "?socket=" + socket;
        List<String> command = List.of("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", backing,
                overlay.toString(), Long.toString(size));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try {
            if (p.waitFor() != 0) {
                throw new IOException("qemu-img could not create overlay " + overlay + " on " + backing + ": " + output);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while creating overlay " + overlay, e);
        }
    }
}
