package io.lifeboat.appliance.inventory;

import io.lifeboat.kvm.domain.XmlDocuments;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.libvirt.Domain;
import org.libvirt.DomainSnapshot;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * libvirt snapshots of a VM. Lifeboat creates internal snapshots, which libvirt 9.0 with QEMU
 * 7.2 under TCG takes, reverts and deletes with the VM running (disks and memory, via
 * {@code savevm}) or shut off (disks only, via {@code qemu-img snapshot}); every disk must be
 * qcow2. External snapshots made elsewhere are listed, but libvirt 9.0 cannot revert to them
 * (UNSUPPORTED).
 */
public class VmSnapshots {

    private final LibvirtHosts hosts;

    public VmSnapshots(LibvirtHosts hosts) {
        this.hosts = hosts;
    }

    /** Takes an internal snapshot; a taken name is CONFLICT, a VM with non-qcow2 disks UNSUPPORTED. */
    public VmSnapshot create(String host, String vm, String name, String description) {
        Names.requireSnapshotName(name);
        Document xml = XmlDocuments.newDocument("domainsnapshot");
        XmlDocuments.appendText(xml.getDocumentElement(), "name", name);
        if (description != null && !description.isBlank()) {
            XmlDocuments.appendText(xml.getDocumentElement(), "description", description);
        }
        return hosts.withDomain(host, vm, "create snapshot " + name + " of", domain -> {
            if (List.of(domain.snapshotListNames()).contains(name)) {
                throw InventoryException.conflict("VM " + vm + " already has a snapshot named '" + name + "'");
            }
            return describe(domain.snapshotCreateXML(XmlDocuments.write(xml), 0), currentName(domain));
        });
    }

    /** The VM's snapshots, oldest first. */
    public List<VmSnapshot> list(String host, String vm) {
        return hosts.withDomain(host, vm, "list snapshots of", domain -> {
            String current = currentName(domain);
            List<VmSnapshot> snapshots = new ArrayList<>();
            for (String name : domain.snapshotListNames()) {
                snapshots.add(describe(domain.snapshotLookupByName(name), current));
            }
            snapshots.sort(Comparator.comparing(VmSnapshot::createdAt).thenComparing(VmSnapshot::name));
            return snapshots;
        });
    }

    /**
     * Returns the VM to the snapshot: disks, and for a snapshot of a running VM its memory too, so
     * the VM ends up in the state it was in then (a running VM reverted to a shut-off snapshot stops).
     */
    public VmState revert(String host, String vm, String name) {
        return hosts.withDomain(host, vm, "revert to snapshot " + name + " of", domain -> {
            domain.revertToSnapshot(lookup(domain, vm, name));
            return VmState.of(domain.getInfo().state);
        });
    }

    /** Deletes one snapshot (its children move up to its parent). */
    public void delete(String host, String vm, String name) {
        hosts.withDomain(host, vm, "delete snapshot " + name + " of", domain -> lookup(domain, vm, name).delete(0));
    }

    private static DomainSnapshot lookup(Domain domain, String vm, String name) throws LibvirtException {
        try {
            return domain.snapshotLookupByName(name);
        } catch (LibvirtException e) {
            if (InventoryException.hasCode(e, ErrorNumber.VIR_ERR_NO_DOMAIN_SNAPSHOT)) {
                throw InventoryException.notFound("VM " + vm + " has no snapshot named '" + name + "'");
            }
            throw e;
        }
    }

    private static String currentName(Domain domain) throws LibvirtException {
        if (domain.hasCurrentSnapshot() != 1) {
            return null;
        }
        Element current = XmlDocuments.parse(domain.snapshotCurrent().getXMLDesc(), "snapshot XML").getDocumentElement();
        return XmlDocuments.childText(current, "name");
    }

    static VmSnapshot describe(DomainSnapshot snapshot, String currentName) throws LibvirtException {
        return parse(snapshot.getXMLDesc(), currentName);
    }

    /** Reads libvirt's {@code <domainsnapshot>} description. */
    static VmSnapshot parse(String xml, String currentName) {
        Element root = XmlDocuments.parse(xml, "snapshot XML").getDocumentElement();
        String name = XmlDocuments.childText(root, "name");
        String created = XmlDocuments.childText(root, "creationTime");
        String state = XmlDocuments.childText(root, "state");
        Element parent = XmlDocuments.child(root, "parent");
        return new VmSnapshot(name, XmlDocuments.childText(root, "description"),
                created == null ? Instant.EPOCH : Instant.ofEpochSecond(Long.parseLong(created)),
                state == null ? VmState.UNKNOWN : VmState.ofSnapshotWord(state),
                isExternal(root) ? VmSnapshot.Kind.EXTERNAL : VmSnapshot.Kind.INTERNAL,
                parent == null ? null : XmlDocuments.childText(parent, "name"),
                name != null && name.equals(currentName));
    }

    private static boolean isExternal(Element root) {
        if ("external".equals(XmlDocuments.attribute(XmlDocuments.child(root, "memory"), "snapshot"))) {
            return true;
        }
        Element disks = XmlDocuments.child(root, "disks");
        if (disks != null) {
            for (Element disk : XmlDocuments.children(disks, "disk")) {
                if ("external".equals(XmlDocuments.attribute(disk, "snapshot"))) {
                    return true;
                }
            }
        }
        // "disk-only" snapshots record state 'disk-snapshot' and always live in overlays.
        return "disk-snapshot".equals(XmlDocuments.childText(root, "state"));
    }
}
