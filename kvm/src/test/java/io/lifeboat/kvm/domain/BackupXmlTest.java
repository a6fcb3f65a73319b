package io.lifeboat.kvm.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/** The documents given to virDomainBackupBegin, read back as libvirt would. */
class BackupXmlTest {

    private static final List<Disk> DISKS = List.of(
            new Disk("vda", "disk", "file", "qcow2", "/images/a.qcow2", false),
            new Disk("vdb", "disk", "file", "qcow2", "/images/b&c.qcow2", false));
    private static final Path RUN = Path.of("/run/lifeboat/job's");

    @Test
    void aFullBackupExportsEveryDiskWithoutBitmaps() {
        Element root = parse(BackupXml.backup(RUN.resolve("nbd.sock"), t -> RUN.resolve(t + ".scratch.qcow2"), DISKS, null));
        assertThat(root.getTagName()).isEqualTo("domainbackup");
        assertThat(root.getAttribute("mode")).isEqualTo("pull");
        assertThat(XmlDocuments.child(root, "incremental")).isNull();
        Element server = XmlDocuments.child(root, "server");
        assertThat(server.getAttribute("transport")).isEqualTo("unix");
        assertThat(server.getAttribute("socket")).isEqualTo("/run/lifeboat/job's/nbd.sock");
        List<Element> disks = XmlDocuments.children(XmlDocuments.child(root, "disks"), "disk");
        assertThat(disks).extracting(d -> d.getAttribute("name")).containsExactly("vda", "vdb");
        assertThat(disks).extracting(d -> d.getAttribute("exportname")).containsExactly("vda", "vdb");
        assertThat(disks).allMatch(d -> !d.hasAttribute("exportbitmap"));
        assertThat(disks).allMatch(d -> "yes".equals(d.getAttribute("backup")) && "file".equals(d.getAttribute("type")));
        assertThat(XmlDocuments.attribute(XmlDocuments.child(disks.get(1), "scratch"), "file"))
                .isEqualTo("/run/lifeboat/job's/vdb.scratch.qcow2");
    }

    @Test
    void anIncrementalNamesItsCheckpointAndExportsEachDisksBitmap() {
        Element root = parse(BackupXml.backup(RUN.resolve("nbd.sock"), t -> RUN.resolve(t), DISKS, "lifeboat-<A>"));
        assertThat(XmlDocuments.childText(root, "incremental")).isEqualTo("lifeboat-<A>");
        List<Element> disks = XmlDocuments.children(XmlDocuments.child(root, "disks"), "disk");
        assertThat(disks).extracting(d -> d.getAttribute("exportbitmap")).containsExactly("backup-vda", "backup-vdb");
        assertThat(BackupXml.dirtyBitmapContext("vda")).isEqualTo("qemu:dirty-bitmap:backup-vda");
    }

    @Test
    void theCheckpointHasABitmapOnEveryDisk() {
        Element root = parse(BackupXml.checkpoint("lifeboat-B", "3f2a&1", DISKS));
        assertThat(root.getTagName()).isEqualTo("domaincheckpoint");
        assertThat(XmlDocuments.childText(root, "name")).isEqualTo("lifeboat-B");
        assertThat(XmlDocuments.childText(root, "description")).isEqualTo("Lifeboat backup job 3f2a&1");
        List<Element> disks = XmlDocuments.children(XmlDocuments.child(root, "disks"), "disk");
        assertThat(disks).extracting(d -> d.getAttribute("name") + "=" + d.getAttribute("checkpoint"))
                .containsExactly("vda=bitmap", "vdb=bitmap");
    }

    private static Element parse(String xml) {
        return XmlDocuments.parse(xml, "backup XML").getDocumentElement();
    }
}
