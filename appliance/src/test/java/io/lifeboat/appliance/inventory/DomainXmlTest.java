package io.lifeboat.appliance.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.lifeboat.appliance.inventory.InventoryException.Kind;

/** Parsing and editing domain, tag and snapshot XML, without libvirt. */
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
                new DomainXml.Disk("vda", "disk", "file", "qcow2", "/images/web01.qcow2", false),
                new DomainXml.Disk("sda", "cdrom", "file", "raw", null, true),
                new DomainXml.Disk("vdb", "disk", "network", "raw", null, false));
        assertThat(xml.macs()).containsExactly("52:54:00:00:00:01");
        assertThat(xml.hasChannel("org.qemu.guest_agent.0")).isTrue();
        assertThat(xml.hasChannel("org.qemu.spice.0")).isFalse();
        assertThat(xml.tags()).containsExactly("prod", "web");
    }

    @Test
    void malformedXmlIsBadInput() {
        assertThatThrownBy(() -> DomainXml.parse("<domain type='qemu'><name>x</name>"))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT))
                .hasMessageContaining("not well-formed");
        assertThatThrownBy(() -> DomainXml.parse("   "))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT));
        assertThatThrownBy(() -> DomainXml.parse("<network/>"))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT))
                .hasMessageContaining("<domain>");
    }

    @Test
    void doctypesAreRefused() {
        String xxe = "<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domain type='qemu'><name>&x;</name></domain>";
        assertThatThrownBy(() -> DomainXml.parse(xxe))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT));
    }

    @Test
    void onlyQemuTypeIsAccepted() {
        assertThatThrownBy(() -> DomainXml.parse(XML.replace("type='qemu'", "type='kvm'")).requireQemuType())
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT))
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
        assertThat(reread.disks().get(0)).isEqualTo(new DomainXml.Disk("vda", "disk", "file", "qcow2", "/copies/web02-vda.qcow2", false));
        assertThat(reread.toXml()).doesNotContain("backingStore", "base.qcow2", "nvram");
        assertThat(reread.tags()).containsExactly("prod", "web");
    }

    @Test
    void tagElementRoundTripsAndInvalidTagsAreRefused() {
        var tags = VmTags.validate(Set.of("web", "prod", "tier:1"));
        String element = VmTags.toElement(tags);

        assertThat(element).isEqualTo("<tags><tag>prod</tag><tag>tier:1</tag><tag>web</tag></tags>");
        assertThat(VmTags.fromElement(element)).isEqualTo(tags);
        assertThatThrownBy(() -> VmTags.validate(List.of("<b>")))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT));
        assertThatThrownBy(() -> VmTags.validate(List.of("")))
                .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_INPUT));
    }

    @Test
    void snapshotXmlIsRead() {
        String xml = """
                <domainsnapshot><name>s2</name><description>before upgrade</description><state>running</state>
                <parent><name>s1</name></parent><creationTime>1795000000</creationTime>
                <memory snapshot='internal'/><disks><disk name='vda' snapshot='internal'/></disks>
                <domain type='qemu'><name>web01</name></domain></domainsnapshot>
                """;
        VmSnapshot snapshot = VmSnapshots.parse(xml, "s2");

        assertThat(snapshot).isEqualTo(new VmSnapshot("s2", "before upgrade", java.time.Instant.ofEpochSecond(1795000000L),
                VmState.RUNNING, VmSnapshot.Kind.INTERNAL, "s1", true));
        assertThat(VmSnapshots.parse(xml.replace("snapshot='internal'/></disks>", "snapshot='external'/></disks>"), null).kind())
                .isEqualTo(VmSnapshot.Kind.EXTERNAL);
    }
}
