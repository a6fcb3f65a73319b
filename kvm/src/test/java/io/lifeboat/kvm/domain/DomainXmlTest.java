package io.lifeboat.kvm.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** Parsing and editing domain XML, without libvirt. */
class DomainXmlTest {

    private static final String XML = """
            <domain type='qemu'>
              <name>web01</name>
              <uuid>5f0e3d0c-1111-2222-3333-444455556666</uuid>
              <metadata>
                <other:thing xmlns:other="urn:other"><tag>not-ours</tag></other:thing>
                <lifeboat:tags xmlns:lifeboat="https://lifeboat.io/xmlns/appliance/1"><tag>web</tag><tag>prod</tag></lifeboat:tags>
              </metadata>
              <os><type>hvm</type><nvram>/var/lib/libvirt/qemu/nvram/web01_VARS.fd</nvram></os>
              <devices>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='qcow2'/>
                  <source file='/images/web01.qcow2'/>
                  <backingStore type='file'><format type='qcow2'/><source file='/images/base.qcow2'/></backingStore>
                  <target dev='vda' bus='virtio'/>
                </disk>
                <disk type='file' device='cdrom'><driver name='qemu' type='raw'/><target dev='sda' bus='sata'/><readonly/></disk>
                <disk type='network' device='disk'>
                  <driver name='qemu' type='raw'/><source protocol='nbd' name='vdb'/><target dev='vdb'/>
                </disk>
                <interface type='user'><mac address='52:54:00:00:00:01'/></interface>
                <interface type='user'/>
                <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
              </devices>
            </domain>
            """;

    @Test
    void readsNameDisksMacsAndOnlyOurTags() {
        DomainXml xml = DomainXml.parse(XML).requireQemuType();

        assertThat(xml.name()).isEqualTo("web01");
        assertThat(xml.uuid()).isEqualTo("5f0e3d0c-1111-2222-3333-444455556666");
        assertThat(xml.disks()).containsExactly(
                new Disk("vda", "disk", "file", "qcow2", "/images/web01.qcow2", false),
                new Disk("sda", "cdrom", "file", "raw", null, true),
                new Disk("vdb", "disk", "network", "raw", null, false));
        assertThat(xml.macs()).containsExactly("52:54:00:00:00:01");
        assertThat(xml.hasChannel("org.qemu.guest_agent.0")).isTrue();
        assertThat(xml.hasChannel("org.qemu.spice.0")).isFalse();
    }

    @Test
    void malformedXmlIsBadInput() {
        assertThatThrownBy(() -> DomainXml.parse("<domain type='qemu'><name>x</name>"))
                .isInstanceOf(XmlInputException.class)
                .hasMessageContaining("not well-formed");
        assertThatThrownBy(() -> DomainXml.parse("   "))
                .isInstanceOf(XmlInputException.class);
        assertThatThrownBy(() -> DomainXml.parse("<network/>"))
                .isInstanceOf(XmlInputException.class)
                .hasMessageContaining("<domain>");
    }

    @Test
    void doctypesAreRefused() {
        String xxe = "<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domain type='qemu'><name>&x;</name></domain>";
        assertThatThrownBy(() -> DomainXml.parse(xxe))
                .isInstanceOf(XmlInputException.class);
    }

    @Test
    void onlyQemuTypeIsAccepted() {
        assertThatThrownBy(() -> DomainXml.parse(XML.replace("type='qemu'", "type='kvm'")).requireQemuType())
                .isInstanceOf(XmlInputException.class)
                .hasMessageContaining("'kvm'");
    }

    @Test
    void cloneEditsReplaceIdentityAndFlattenDisks() {
        DomainXml xml = DomainXml.parse(XML);
        UUID uuid = UUID.randomUUID();
        xml.rename("web02");
        xml.setUuid(uuid);
        var macs = List.of("52:54:00:aa:bb:01", "52:54:00:aa:bb:02").iterator();
        xml.replaceMacs(macs::next);
        xml.replaceDiskFile("vda", "/copies/web02-vda.qcow2", "qcow2");
        xml.dropNvramPath();

        DomainXml reread = DomainXml.parse(xml.toXml());
        assertThat(reread.name()).isEqualTo("web02");
        assertThat(reread.uuid()).isEqualTo(uuid.toString());
        assertThat(reread.macs()).containsExactly("52:54:00:aa:bb:01", "52:54:00:aa:bb:02");
        assertThat(reread.disks().get(0)).isEqualTo(new Disk("vda", "disk", "file", "qcow2", "/copies/web02-vda.qcow2", false));
        assertThat(reread.toXml()).doesNotContain("backingStore", "base.qcow2", "nvram");
        assertThat(reread.toXml()).contains("<tag>prod</tag>");
    }

    @Test
    void networksAreListedAndRemapped() {
        DomainXml xml = DomainXml.parse(XML.replace("<interface type='user'/>",
                "<interface type='network'><source network='lan'/></interface>"
                        + "<interface type='network'><source network='dmz'/></interface>"
                        + "<interface type='network'><source network='lan'/></interface>"
                        + "<interface type='bridge'><source bridge='br0'/></interface>"));
        assertThat(xml.networks()).containsExactly("lan", "dmz");

        xml.remapNetworks(java.util.Map.of("lan", "dr-lan", "br0", "nope"));

        DomainXml reread = DomainXml.parse(xml.toXml());
        assertThat(reread.networks()).containsExactly("dr-lan", "dmz");
        assertThat(reread.toXml()).contains("bridge=\"br0\"");
    }

    @Test
    void disksAreRemovedEjectedAndGivenAFormat() {
        DomainXml xml = DomainXml.parse(XML.replace("<target dev='sda' bus='sata'/>",
                "<source file='/isos/install.iso'/><target dev='sda' bus='sata'/>"));
        xml.removeDisk("vdb");
        xml.ejectMedia("sda");
        xml.setDiskFormat("vda", "raw");

        DomainXml reread = DomainXml.parse(xml.toXml());
        assertThat(reread.disks()).extracting(Disk::target).containsExactly("vda", "sda");
        assertThat(reread.disks().get(1).path()).isNull();
        assertThat(reread.disks().get(0).format()).isEqualTo("raw");
        assertThatThrownBy(() -> xml.removeDisk("vdz")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFormatIsSetEvenWithoutADriverElement() {
        DomainXml xml = DomainXml.parse("<domain type='qemu'><name>a</name><devices><disk type='file' device='disk'>"
                + "<source file='/a.img'/><target dev='vda'/></disk></devices></domain>");
        xml.setDiskFormat("vda", "qcow2");
        assertThat(xml.toXml()).contains("<driver name=\"qemu\" type=\"qcow2\"/>");
    }
}
