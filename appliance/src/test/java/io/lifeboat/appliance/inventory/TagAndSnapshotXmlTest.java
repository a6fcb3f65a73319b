package io.lifeboat.appliance.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.lifeboat.kvm.domain.DomainXml;

import io.lifeboat.appliance.inventory.InventoryException.Kind;

/** Tag metadata and snapshot XML, without libvirt. */
class TagAndSnapshotXmlTest {

    @Test
    void tagsAreReadFromTheDomainsMetadata() {
        String xml = """
                <domain type='qemu'><name>web01</name><metadata>
                <lifeboat:tags xmlns:lifeboat="https://lifeboat.io/xmlns/appliance/1"><lifeboat:tag>web</lifeboat:tag>
                <lifeboat:tag>prod</lifeboat:tag></lifeboat:tags><other:x xmlns:other="urn:other"/></metadata></domain>
                """;
        assertThat(VmTags.fromDomain(DomainXml.parse(xml).element())).containsExactly("prod", "web");
        assertThat(VmTags.fromDomain(DomainXml.parse("<domain type='qemu'><name>x</name></domain>").element())).isEmpty();
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
