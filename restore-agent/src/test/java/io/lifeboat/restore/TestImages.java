package io.lifeboat.restore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Disk images for restore tests, made and checked with qemu-img and qemu-io, and tiny qemu (TCG)
 * domains with no OS that start in a moment.
 */
public final class TestImages {
    static final long MIB = 1 << 20;

    private TestImages() {
    }

    static Path qcow2(Path file, long bytes) {
        run("qemu-img", "create", "-q", "-f", "qcow2", file.toString(), Long.toString(bytes));
        return file;
    }

    static void write(Path qcow2, int pattern, long offset, long length) {
        run("qemu-io", "-f", "qcow2", qcow2.toString(), "-c", String.format("write -P 0x%02x %d %d", pattern, offset, length));
    }

    /** True if the range holds only {@code pattern}. */
    static boolean holds(Path qcow2, int pattern, long offset, long length) {
        String out = run("qemu-io", "-r", "-U", "-f", "qcow2", qcow2.toString(), "-c",
                String.format("read -P 0x%02x %d %d", pattern, offset, length));
        return out.contains("read " + length + "/" + length) && !out.contains("Pattern verification failed");
    }

    /** True if both images hold the same guest-visible bytes (qemu-img compare; images may be in use). */
    static boolean sameContent(Path a, String formatA, Path b, String formatB) {
        return exit("qemu-img", "compare", "-U", "-q", "-f", formatA, "-F", formatB, a.toString(), b.toString()) == 0;
    }

    static String format(Path image) {
        String out = run("qemu-img", "info", "-U", "--output=json", image.toString());
        return out.replaceAll("(?s).*\"format\": \"([a-z0-9]+)\".*", "$1");
    }

    /** Bytes the file really occupies on disk. */
    static long allocated(Path file) {
        return Long.parseLong(run("stat", "-c", "%b", file.toString()).trim()) * 512;
    }

    /**
     * A 64 MiB qemu domain with no OS: these qcow2 files as vda, vdb, ..., a user-mode NIC with
     * {@code mac}, and {@code moreDevices}.
     */
    static String domainXml(String name, String uuid, List<Path> disks, String mac, String moreDevices) {
        StringBuilder devices = new StringBuilder();
        for (int i = 0; i < disks.size(); i++) {
            devices.append("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='")
                    .append(disks.get(i)).append("'/><target dev='vd").append((char) ('a' + i)).append("' bus='virtio'/></disk>");
        }
        return "<domain type='qemu'><name>" + name + "</name><uuid>" + uuid + "</uuid><memory unit='MiB'>64</memory>"
                + "<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>" + devices
                + "<interface type='user'><mac address='" + mac + "'/><model type='virtio'/></interface>"
                + moreDevices + "<memballoon model='none'/></devices></domain>";
    }

    /** Runs a command to completion; its output, or an exception with it if the command failed. */
    public static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int exit(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
