package io.lifeboat.kvm.domain;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The two documents sent to {@code virDomainBackupBegin}. For a job with disks vda and vdb,
 * incremental from checkpoint {@code lifeboat-A}, creating {@code lifeboat-B}:
 * <pre>
 * &lt;domainbackup mode='pull'&gt;
 *   &lt;incremental&gt;lifeboat-A&lt;/incremental&gt;                      (omitted for a full backup)
 *   &lt;server transport='unix' socket='RUN/nbd.sock'/&gt;
 *   &lt;disks&gt;
 *     &lt;disk name='vda' backup='yes' type='file' exportname='vda' exportbitmap='backup-vda'&gt;
 *       &lt;scratch file='RUN/vda.scratch.qcow2'/&gt;
 *     &lt;/disk&gt;  ...
 *   &lt;/disks&gt;
 * &lt;/domainbackup&gt;
 *
 * &lt;domaincheckpoint&gt;
 *   &lt;name&gt;lifeboat-B&lt;/name&gt;
 *   &lt;description&gt;Lifeboat backup job JOB&lt;/description&gt;
 *   &lt;disks&gt;&lt;disk name='vda' checkpoint='bitmap'/&gt; ...&lt;/disks&gt;
 * &lt;/domaincheckpoint&gt;
 * </pre>
 * {@code exportbitmap} is only given for an incremental; the export then carries the meta context
 * {@code qemu:dirty-bitmap:backup-vda}.
 */
public final class BackupXml {
    private BackupXml() {
    }

    public static String bitmapExport(String target) {
        return "backup-" + target;
    }

    public static String dirtyBitmapContext(String target) {
        return "qemu:dirty-bitmap:" + bitmapExport(target);
    }

    /**
     * @param socket          where libvirt's NBD server listens
     * @param scratch         each disk's scratch file, by target
     * @param incrementalFrom the checkpoint an incremental starts from; null for a full backup
     */
    public static String backup(Path socket, Function<String, Path> scratch, List<Disk> disks, String incrementalFrom) {
        Document doc = XmlDocuments.newDocument("domainbackup");
        Element root = doc.getDocumentElement();
        root.setAttribute("mode", "pull");
        if (incrementalFrom != null) {
            XmlDocuments.appendText(root, "incremental", incrementalFrom);
        }
        XmlDocuments.appendElement(root, "server", "transport", "unix", "socket", socket.toString());
        Element list = XmlDocuments.appendElement(root, "disks");
        for (Disk d : disks) {
            Element disk = XmlDocuments.appendElement(list, "disk", "name", d.target(), "backup", "yes", "type", "file",
                    "exportname", d.target());
            if (incrementalFrom != null) {
                disk.setAttribute("exportbitmap", bitmapExport(d.target()));
            }
            XmlDocuments.appendElement(disk, "scratch", "file", scratch.apply(d.target()).toString());
        }
        return XmlDocuments.write(doc);
    }

    /** A checkpoint named {@code name} with a bitmap on every disk, described as made by backup job {@code jobId}. */
    public static String checkpoint(String name, String jobId, List<Disk> disks) {
        Document doc = XmlDocuments.newDocument("domaincheckpoint");
        Element root = doc.getDocumentElement();
        XmlDocuments.appendText(root, "name", name);
        XmlDocuments.appendText(root, "description", "Lifeboat backup job " + jobId);
        Element list = XmlDocuments.appendElement(root, "disks");
        for (Disk d : disks) {
            XmlDocuments.appendElement(list, "disk", "name", d.target(), "checkpoint", "bitmap");
        }
        return XmlDocuments.write(doc);
    }
}
