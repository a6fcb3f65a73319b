package io.lifeboat.appliance.backup;

import io.lifeboat.appliance.inventory.TestVms;
import io.lifeboat.kvm.libvirt.LibvirtConnection;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A tiny TCG domain (64 MiB, no OS) with qcow2 virtio disks in a test directory, and a model of
 * what each disk holds: a sparse raw file per disk to which every guest write is applied too.
 * {@link #close()} destroys and undefines it with its checkpoint metadata.
 */
final class TestVm implements AutoCloseable {
    static final String URI = "qemu:///system";
    /** VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA | VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA */
    private static final int UNDEFINE_METADATA = 2 | 16;

    private final Connect conn;
    private final String name;
    private final Domain domain;
    private final Map<String, Path> images = new LinkedHashMap<>();
    private final Map<String, Path> models = new LinkedHashMap<>();
    private final Map<String, String> aliases = new LinkedHashMap<>();

    private TestVm(Connect conn, String name, Domain domain) {
        this.conn = conn;
        this.name = name;
        this.domain = domain;
    }

    /** Defines (and if {@code start}, starts) a VM with disks of the given sizes, vda, vdb, ... */
    static TestVm create(Path dir, boolean start, boolean agentChannel, long... diskSizes) throws Exception {
        Connect conn = LibvirtConnection.open(URI);
        String name = "lbtest-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Path> images = new LinkedHashMap<>();
        for (int i = 0; i < diskSizes.length; i++) {
            String target = "vd" + (char) ('a' + i);
            images.put(target, TestVms.qcow2(dir, name + "-" + target + ".qcow2", diskSizes[i]));
        }
        String agent = agentChannel
                ? "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>" : "";
        Domain d = conn.domainDefineXML(TestVms.domainXml(name, List.copyOf(images.values()), agent));
        TestVm vm = new TestVm(conn, name, d);
        int i = 0;
        for (var e : images.entrySet()) {
            vm.images.put(e.getKey(), e.getValue());
            vm.aliases.put(e.getKey(), "ua-" + e.getKey());
            Path model = dir.resolve(name + "-" + e.getKey() + ".model");
            try (RandomAccessFile f = new RandomAccessFile(model.toFile(), "rw")) {
                f.setLength(diskSizes[i++]);
            }
            vm.models.put(e.getKey(), model);
        }
        if (start) {
            try {
                d.create();
            } catch (LibvirtException e) {
                vm.close();
                throw e;
            }
        }
        return vm;
    }

    String name() {
        return name;
    }

    Domain domain() {
        return domain;
    }

    Path model(String target) {
        return models.get(target);
    }

    Path image(String target) {
        return images.get(target);
    }

    /** Writes {@code length} bytes of {@code pattern} at {@code offset}, as the guest (or offline), and to the model. */
    void write(String target, int pattern, long offset, long length) throws Exception {
        String cmd = "write -P 0x" + Integer.toHexString(pattern) + " " + offset + " " + length;
        if (domain.isActive() == 1) {
            String out = domain.qemuMonitorCommand("qemu-io -d /machine/peripheral/" + aliases.get(target)
                    + "/virtio-backend \"" + cmd + "\"", 1);
            if (out.toLowerCase().contains("error") || out.contains("failed")) {
                throw new IllegalStateException("qemu-io: " + out);
            }
        } else {
            TestVms.run("qemu-io", "-f", "qcow2", "-c", cmd, images.get(target).toString());
        }
        byte[] buf = new byte[1 << 20];
        Arrays.fill(buf, (byte) pattern);
        try (RandomAccessFile f = new RandomAccessFile(models.get(target).toFile(), "rw")) {
            for (long done = 0; done < length; done += buf.length) {
                f.seek(offset + done);
                f.write(buf, 0, (int) Math.min(buf.length, length - done));
            }
        }
    }

    /** SHA-256 of the model of each disk now. */
    Map<String, String> modelDigests() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : models.entrySet()) {
            out.put(e.getKey(), sha256(e.getValue()));
        }
        return out;
    }

    static String sha256(Path f) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            try (var in = Files.newInputStream(f)) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws LibvirtException {
        try {
            if (domain.isActive() == 1) {
                domain.destroy();
            }
        } finally {
            try {
                domain.undefine(UNDEFINE_METADATA);
            } finally {
                conn.close();
            }
        }
    }
}
