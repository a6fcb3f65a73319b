package io.lifeboat.appliance.backup;

import java.nio.file.Path;
import java.util.List;

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
final class BackupXml {
    private BackupXml() {
    }

    static String bitmapExport(String target) {
        return "backup-" + target;
    }

    static String dirtyBitmapContext(String target) {
        return "qemu:dirty-bitmap:" + bitmapExport(target);
    }

    static String backup(RunDirectory run, List<VmDisk> disks, String incrementalFrom) {
        StringBuilder b = new StringBuilder("<domainbackup mode='pull'>\n");
        if (incrementalFrom != null) {
            b.append("  <incremental>").append(esc(incrementalFrom)).append("</incremental>\n");
        }
        b.append("  <server transport='unix' socket='").append(esc(run.socket())).append("'/>\n  <disks>\n");
        for (VmDisk d : disks) {
            b.append("    <disk name='").append(esc(d.target())).append("' backup='yes' type='file' exportname='")
                    .append(esc(d.target())).append('\'');
            if (incrementalFrom != null) {
                b.append(" exportbitmap='").append(esc(bitmapExport(d.target()))).append('\'');
            }
            b.append(">\n      <scratch file='").append(esc(run.scratch(d.target()))).append("'/>\n    </disk>\n");
        }
        return b.append("  </disks>\n</domainbackup>\n").toString();
    }

    static String checkpoint(String name, String jobId, List<VmDisk> disks) {
        StringBuilder b = new StringBuilder("<domaincheckpoint>\n  <name>").append(esc(name)).append("</name>\n")
                .append("  <description>Lifeboat backup job ").append(esc(jobId)).append("</description>\n  <disks>\n");
        for (VmDisk d : disks) {
            b.append("    <disk name='").append(esc(d.target())).append("' checkpoint='bitmap'/>\n");
        }
        return b.append("  </disks>\n</domaincheckpoint>\n").toString();
    }

    private static String esc(Object o) {
        return o.toString().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("'", "&apos;").replace("\"", "&quot;");
    }
}
