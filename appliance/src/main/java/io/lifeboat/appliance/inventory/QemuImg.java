package io.lifeboat.appliance.inventory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import io.lifeboat.appliance.inventory.InventoryException.Kind;

/** The {@code qemu-img} tool (Debian's qemu-utils), for copying disk images on this machine. */
final class QemuImg {

    private QemuImg() {
    }

    /**
     * Copies an image into a new, flat file: {@code qemu-img convert} reads through any backing
     * chain, skips zero clusters (the copy stays sparse) and leaves internal snapshots behind.
     */
    static void convert(Path source, String sourceFormat, Path target, String targetFormat) {
        run(List.of("qemu-img", "convert", "-q", "-f", sourceFormat, "-O", targetFormat,
                source.toString(), target.toString()), "copy " + source + " to " + target);
    }

    private static void run(List<String> command, String what) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            int exit = process.waitFor();
            if (exit != 0) {
                throw new InventoryException(Kind.FAILED, "Cannot " + what + ": qemu-img exited with " + exit
                        + (output.isEmpty() ? "" : ": " + output));
            }
        } catch (IOException e) {
            throw new InventoryException(Kind.FAILED, "Cannot " + what + ": cannot run qemu-img (install qemu-utils): "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InventoryException(Kind.FAILED, "Interrupted while trying to " + what, e);
        }
    }
}
