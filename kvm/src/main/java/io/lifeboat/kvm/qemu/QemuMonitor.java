package io.lifeboat.kvm.qemu;

import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.w3c.dom.Element;

import io.lifeboat.kvm.domain.DomainXml;
import io.lifeboat.kvm.domain.XmlDocuments;

/** Human monitor (HMP) commands to a running domain's QEMU, sent through libvirt. */
public final class QemuMonitor {
    /** VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP */
    private static final int HMP = 1;

    private QemuMonitor() {
    }

    /** Runs one HMP command and returns what QEMU printed. */
    public static String hmp(Domain domain, String command) throws LibvirtException {
        return domain.qemuMonitorCommand(command, HMP);
    }

    /**
     * Reads a sector of a disk's NBD backing store through QEMU (the monitor's {@code qemu-io} on
     * the backing store's node), outside the guest's view: QEMU's NBD client notices that its
     * connection is gone, and starts to reconnect, only when it sends a request. The read fails
     * until the client is connected; that is expected. Does nothing for a disk without one.
     */
    public static void readNbdBacking(Domain domain, String target) throws LibvirtException {
        String node = nbdNode(domain, target);
        if (node != null) {
            hmp(domain, "qemu-io " + node + " \"read 0 512\"");
        }
    }

    /** libvirt's node name of the disk's NBD backing store, {@code libvirt-<index>-format}; null without one. */
    private static String nbdNode(Domain domain, String target) throws LibvirtException {
        Element disk = DomainXml.parse(domain.getXMLDesc(0)).diskElement(target).orElse(null);
        Element backing = disk == null ? null : XmlDocuments.child(disk, "backingStore");
        if (backing != null && "network".equals(backing.getAttribute("type")) && !backing.getAttribute("index").isEmpty()) {
            return "libvirt-" + backing.getAttribute("index") + "-format";
        }
        return null;
    }
}
