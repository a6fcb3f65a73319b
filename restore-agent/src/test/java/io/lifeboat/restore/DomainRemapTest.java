package io.lifeboat.restore;

import io.lifeboat.kvm.domain.Disk;
import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.kvm.domain.DomainXml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The remapping rules of docs/restore.md, without libvirt. */
class DomainRemapTest {
    private static final String UUID_NEW = UUID.randomUUID().toString();

    @TempDir
    Path dir;

    private String xml(Path iso) {
        return "<domain type='qemu' id='7'><name>web01</name><uuid>" + UUID.randomUUID() + "</uuid>"
                + "<os><type>hvm</type><nvram>/var/lib/libvirt/qemu/nvram/web01_VARS.fd</nvram></os><devices>"
                + "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/img/web01.qcow2'/>"
                + "<backingStore type='file'><format type='qcow2'/><source file='/img/base.qcow2'/></backingStore>"
                + "<target dev='vda' bus='virtio'/></disk>"
                + "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/img/scratch.img'/>"
                + "<target dev='vdb' bus='virtio'/></disk>"
                + "<disk type='file' device='cdrom'><source file='" + iso + "'/><target dev='sda' bus='sata'/><readonly/></disk>"
                + "<disk type='file' device='cdrom'><source file='/gone.iso'/><target dev='sdb' bus='sata'/><readonly/></disk>"
                + "<interface type='network'><mac address='52:54:00:00:00:01'/><source network='lan'/></interface>"
                + "</devices></domain>";
    }

    @Test
    void aNewVmGetsItsOwnIdentityDisksAndNetwork() throws Exception {
        Path iso = Files.createFile(dir.resolve("install.iso"));
        Path vda = dir.resolve("web02-vda.raw");

        DomainRemap.Result r = DomainRemap.apply(DomainXml.parse(xml(iso)), "web02", UUID_NEW, true, Map.of("vda", vda),
                DiskFormat.RAW, NetworkMapping.parse(List.of("lan=dr-lan")), true, dir);

        DomainXml out = DomainXml.parse(r.xml());
        assertThat(out.name()).isEqualTo("web02");
        assertThat(out.uuid()).isEqualTo(UUID_NEW);
        assertThat(out.element().hasAttribute("id")).isFalse();
        assertThat(out.macs()).isEqualTo(r.macs()).hasSize(1).doesNotContain("52:54:00:00:00:01");
        assertThat(out.networks()).containsExactly("dr-lan");
        assertThat(out.disks()).containsExactly(
                new Disk("vda", "disk", "file", "raw", vda.toString(), false),
                new Disk("sda", "cdrom", "file", "raw", iso.toString(), true),
                new Disk("sdb", "cdrom", "file", "raw", null, true));
        assertThat(r.xml()).doesNotContain("backingStore", "nvram");
        assertThat(r.notes()).containsExactly("disk vdb removed: it is not in the restore point",
                "cdrom sdb left empty: /gone.iso is not available there");
    }

    @Test
    void overTheOriginalKeepsMacsAndNvramAndMediaLeaveARemoteHostEmpty() throws Exception {
        Path iso = Files.createFile(dir.resolve("install.iso"));
        DomainRemap.Result r = DomainRemap.apply(DomainXml.parse(xml(iso)), "web01", UUID_NEW, false,
                Map.of("vda", dir.resolve("web01.qcow2")), DiskFormat.QCOW2, NetworkMapping.none(), false, null);

        assertThat(r.macs()).containsExactly("52:54:00:00:00:01");
        assertThat(r.xml()).contains("web01_VARS.fd");
        assertThat(DomainXml.parse(r.xml()).disks()).extracting(Disk::path)
                .containsExactly(dir.resolve("web01.qcow2").toString(), null, null);
    }

    @Test
    void aNewVmWritesItsOwnSerialLogAndAHostPipeRefusesTheRestore() throws Exception {
        Path iso = Files.createFile(dir.resolve("install.iso"));
        String withSerial = xml(iso).replace("</devices>", "<serial type='file'><source path='/var/log/web01.log'/>"
                + "<target port='0'/></serial></devices>");

        DomainRemap.Result r = DomainRemap.apply(DomainXml.parse(withSerial), "web02", UUID_NEW, true,
                Map.of("vda", dir.resolve("web02-vda.qcow2")), DiskFormat.QCOW2, NetworkMapping.none(), true, dir);

        assertThat(r.xml()).contains("path=\"" + dir.resolve("web02-serial0.log") + "\"").doesNotContain("/var/log/web01.log");
        assertThat(r.notes()).contains("serial 0 writes to " + dir.resolve("web02-serial0.log") + " instead of /var/log/web01.log");

        DomainRemap.Result over = DomainRemap.apply(DomainXml.parse(withSerial), "web01", UUID_NEW, false,
                Map.of("vda", dir.resolve("web01.qcow2")), DiskFormat.QCOW2, NetworkMapping.none(), true, null);
        assertThat(over.xml()).as("over the original: its own paths").contains("/var/log/web01.log");

        String withPipe = xml(iso).replace("</devices>", "<serial type='pipe'><source path='/tmp/web01.pipe'/>"
                + "<target port='0'/></serial></devices>");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DomainRemap.apply(DomainXml.parse(withPipe), "web02",
                        UUID_NEW, true, Map.of("vda", dir.resolve("web02-vda.qcow2")), DiskFormat.QCOW2, NetworkMapping.none(),
                        true, dir))
                .isInstanceOf(RestoreException.class)
                .hasMessageContaining("cannot restore as a new VM: serial 0 uses the host pipe /tmp/web01.pipe");
    }
}
