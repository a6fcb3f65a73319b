package io.lifeboat.kvm.qemu;

import io.lifeboat.kvm.KvmException.Kind;
import io.lifeboat.kvm.KvmException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code qemu-img} tool (Debian's qemu-utils): turns a restored raw disk into qcow2, copies the
 * disks of a clone, and makes the overlays instant recovery runs VMs on. An interrupt of the calling thread stops qemu-img
 * (SIGTERM, then SIGKILL) and waits for it to exit, so that nothing writes the output afterwards.
 */
public final class QemuImg {

    /** How long qemu-img gets to exit on SIGTERM before it is killed. */
    private static final long STOP_SECONDS = 5;
    /** Creating an overlay only opens the export: an export that does not answer in this time never will. */
    public static final Duration OVERLAY_LIMIT = Duration.ofSeconds(60);

    private QemuImg() {
    }

    /**
     * Converts a raw image into a new qcow2 file. {@code convert} skips zero clusters, so the
     * holes of the sparse raw file stay unallocated in the qcow2. Interrupted, it removes the
     * qcow2 file it had begun.
     */
    public static void rawToQcow2(Path raw, Path qcow2) throws KvmException {
        run(List.of("qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", raw.toString(), qcow2.toString()),
                "convert " + raw + " to qcow2", qcow2, null);
    }

    /**
     * Copies an image into a new, flat file: {@code qemu-img convert} reads through any backing
     * chain, skips zero clusters (the copy stays sparse) and leaves internal snapshots behind.
     * Interrupted, it removes the copy it had begun.
     */
    public static void convert(Path source, String sourceFormat, Path target, String targetFormat) throws KvmException {
        run(List.of("qemu-img", "convert", "-q", "-f", sourceFormat, "-O", targetFormat,
                source.toString(), target.toString()), "copy " + source + " to " + target, target, null);
    }

    /** A new qcow2 overlay of {@code size} bytes backed by the raw NBD export {@code export} on a unix socket. */
    public static void nbdOverlay(Path overlay, String export, Path socket, long size) throws KvmException {
        nbdOverlay(overlay, export, socket, size, OVERLAY_LIMIT);
    }

    /** As above, giving up (and removing the overlay) if qemu-img has not finished within {@code limit}. */
    public static void nbdOverlay(Path overlay, String export, Path socket, long size, Duration limit) throws KvmException {
        run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b",
                "nbd+unix:///" + export + "?socket=" + socket, overlay.toString(), Long.toString(size)),
                "create overlay " + overlay + " on export " + export, overlay, limit);
    }

    /**
     * Runs qemu-img; {@code output}, if given, is removed when the run is interrupted or takes
     * longer than {@code limit} (null: no limit).
     */
    private static void run(List<String> command, String what, Path output, Duration limit) throws KvmException {
        Path log = null;
        try {
            // Its output goes to a file, not a pipe: reading a pipe would not return on an interrupt.
            log = Files.createTempFile("lifeboat-qemu-img-", ".log");
            Process process;
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            } catch (IOException e) {
                throw new KvmException(Kind.FAILED, "cannot run qemu-img (install qemu-utils): " + e.getMessage(), e);
            }
            int exit;
            try {
                if (limit == null) {
                    exit = process.waitFor();
                } else if (process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                    exit = process.exitValue();
                } else {
                    stop(process);
                    if (output != null) {
                        Files.deleteIfExists(output);
                    }
                    throw new KvmException(Kind.TIMEOUT, "cannot " + what + ": qemu-img did not finish within "
                            + limit.toSeconds() + " s");
                }
            } catch (InterruptedException e) {
                stop(process);
                if (output != null) {
                    Files.deleteIfExists(output);
                }
                Thread.currentThread().interrupt();
                throw new KvmException(Kind.FAILED, "interrupted while trying to " + what, e);
            }
            if (exit != 0) {
                String text = Files.readString(log, StandardCharsets.UTF_8).trim();
                throw new KvmException(text.contains("No space left") ? Kind.NO_SPACE : Kind.FAILED,
                        "cannot " + what + ": qemu-img exited with " + exit + (text.isEmpty() ? "" : ": " + text));
            }
        } catch (IOException e) {
            if (e instanceof KvmException k) {
                throw k;
            }
            throw new KvmException(Kind.FAILED, "cannot " + what + ": " + e.getMessage(), e);
        } finally {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException ignored) {
                    // a few bytes in the temp directory
                }
            }
        }
    }

    /** Ends qemu-img and waits until it has exited, however often this thread is interrupted meanwhile. */
    private static void stop(Process process) {
        process.destroy();
        boolean interrupted = false;
        boolean killed = false;
        while (process.isAlive()) {
            try {
                if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS) && !killed) {
                    process.destroyForcibly();
                    killed = true;
                }
            } catch (InterruptedException again) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
