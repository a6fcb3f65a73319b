package io.lifeboat.appliance.inventory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * Tiny throw-away VMs on the real libvirtd: qcow2 images made with qemu-img, 64 MiB of memory,
 * no OS. Every name a test uses goes through {@link #name}, and {@link #removeAll} destroys and
 * undefines them (snapshot and checkpoint metadata included) whatever state the test left.
 */
public final class TestVms implements AutoCloseable {

    public static final String URI = "qemu:///system";
    public static final long MIB = 1024 * 1024;

    private final List<String> names = new ArrayList<>();
    private final LibvirtHosts hosts = new LibvirtHosts(List.of(URI), Duration.ofSeconds(10));

    public TestVms() {
    }

    LibvirtHosts hosts() {
        return hosts;
    }

    /** A unique VM name, remembered for cleanup. */
    public String name(String role) {
        String name = "lbtest-" + role + "-" + UUID.randomUUID().toString().substring(0, 8);
        names.add(name);
        return name;
    }

    public static Path qcow2(Path dir, String file, long bytes) {
        Path image = dir.resolve(file);
        run("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), Long.toString(bytes));
        return image;
    }

    /** Writes {@code length} bytes of {@code pattern} at {@code offset}, with the image closed. */
    public static void write(Path qcow2, int pattern, long offset, long length) {
        run("qemu-io", "-f", "qcow2", qcow2.toString(), "-c",
                String.format("write -P 0x%02x %d %d", pattern, offset, length));
    }

    /** True if the range holds only {@code pattern}; the image must not be in use by a running VM. */
    static boolean holds(Path qcow2, int pattern, long offset, long length) {
        String out = run("qemu-io", "-r", "-f", "qcow2", qcow2.toString(), "-c",
                String.format("read -P 0x%02x %d %d", pattern, offset, length));
        return out.contains("read " + length + "/" + length) && !out.contains("Pattern verification failed");
    }

    /** A qemu (TCG) domain with these qcow2 disks as vda, vdb, ... and, if asked, one user-mode NIC. */
    public static String domainXml(String name, List<Path> disks, boolean nic) {
        return domainXml(name, disks, nic ? "<interface type='user'><model type='virtio'/></interface>" : "");
    }

    /**
     * A 64 MiB qemu (TCG) domain with no OS and these qcow2 disks as vda, vdb, ..., each with the
     * alias {@code ua-<target>} (so the monitor reaches it as
     * {@code /machine/peripheral/ua-vda/virtio-backend}), plus {@code moreDevices} as given.
     */
    public static String domainXml(String name, List<Path> disks, String moreDevices) {
        StringBuilder devices = new StringBuilder();
        for (int i = 0; i < disks.size(); i++) {
            String target = "vd" + (char) ('a' + i);
            devices.append("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>")
                    .append("<source file='").append(disks.get(i)).append("'/>")
                    .append("<target dev='").append(target).append("' bus='virtio'/>")
                    .append("<alias name='ua-").append(target).append("'/></disk>");
        }
        return "<domain type='qemu'><name>" + name + "</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
                + "<devices>" + devices + moreDevices + "<memballoon model='none'/></devices></domain>";
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

    /** Destroys and undefines every VM handed out, ignoring ones that never got defined. */
    public void removeAll() {
        hosts.call(URI, "clean up test VMs", connect -> {
            for (String name : names) {
                remove(connect, name);
            }
            return null;
        });
        names.clear();
    }

    private static void remove(Connect connect, String name) {
        try {
            if (!LibvirtHosts.exists(connect, name)) {
                return;
            }
            Domain domain = connect.domainLookupByName(name);
            if (domain.isActive() == 1) {
                domain.destroy();
            }
            domain.undefine(1 | 2 | 4 | 16);
        } catch (LibvirtException e) {
            System.err.println("cleanup of " + name + " failed: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            removeAll();
        } finally {
            hosts.close();
        }
    }
}
