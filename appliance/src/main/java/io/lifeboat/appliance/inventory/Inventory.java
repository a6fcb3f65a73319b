package io.lifeboat.appliance.inventory;

import io.lifeboat.kvm.domain.Disk;
import io.lifeboat.kvm.domain.DomainXml;
import io.lifeboat.kvm.domain.XmlDocuments;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;

import org.libvirt.Domain;
import org.libvirt.DomainBlockInfo;
import org.libvirt.DomainInfo;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/** What VMs each libvirt host has, with their disks and Lifeboat tags. */
public class Inventory {

    private static final int METADATA_ELEMENT = Domain.MetadataType.ELEMENT;

    private final LibvirtHosts hosts;

    public Inventory(LibvirtHosts hosts) {
        this.hosts = hosts;
    }

    /** Every VM on the host, defined or running, sorted by name. */
    public List<Vm> list(String host) {
        return hosts.call(host, "list VMs on " + host, connect -> {
            List<Vm> vms = new ArrayList<>();
            for (Domain domain : connect.listAllDomains(0)) {
                try {
                    vms.add(describe(host, domain));
                } catch (LibvirtException e) {
                    // A VM undefined while we were listing is simply no longer there.
                    if (!InventoryException.hasCode(e, ErrorNumber.VIR_ERR_NO_DOMAIN)) {
                        throw e;
                    }
                }
            }
            vms.sort(Comparator.comparing(Vm::name));
            return vms;
        });
    }

    /** One VM; an unknown name is NOT_FOUND. */
    public Vm get(String host, String vm) {
        return hosts.withDomain(host, vm, "describe", domain -> describe(host, domain));
    }

    /** The VM's tags, read with {@code virDomainGetMetadata}. */
    public SortedSet<String> tags(String host, String vm) {
        return hosts.withDomain(host, vm, "read tags of", domain -> {
            try {
                return VmTags.fromElement(domain.getMetadata(METADATA_ELEMENT, VmTags.NAMESPACE,
                        Domain.ModificationImpact.CURRENT));
            } catch (LibvirtException e) {
                if (InventoryException.hasCode(e, ErrorNumber.VIR_ERR_NO_DOMAIN_METADATA)) {
                    return new TreeSet<>();
                }
                throw e;
            }
        });
    }

    /**
     * Replaces the VM's tags (in its persistent definition and, if it runs, its live one), written
     * with {@code virDomainSetMetadata}. An empty set removes the element. Returns the tags as stored.
     */
    public SortedSet<String> setTags(String host, String vm, Collection<String> tags) {
        SortedSet<String> valid = VmTags.validate(tags);
        hosts.withDomain(host, vm, "set tags of", domain -> {
            int impact = (domain.isPersistent() == 1 ? Domain.ModificationImpact.CONFIG : 0)
                    | (domain.isActive() == 1 ? Domain.ModificationImpact.LIVE : 0);
            domain.setMetadata(METADATA_ELEMENT, valid.isEmpty() ? null : VmTags.toElement(valid),
                    VmTags.PREFIX, VmTags.NAMESPACE, impact);
            return null;
        });
        return tags(host, vm);
    }

    static Vm describe(String host, Domain domain) throws LibvirtException {
        DomainInfo info = domain.getInfo();
        DomainXml xml = DomainXml.parse(domain.getXMLDesc(0));
        List<Disk> disks = new ArrayList<>();
        for (Disk disk : xml.disks()) {
            disks.add(sized(domain, disk));
        }
        return new Vm(host, domain.getName(), UUID.fromString(domain.getUUIDString()), VmState.of(info.state),
                info.nrVirtCpu, info.maxMem * 1024, disks, VmTags.fromDomain(xml.element()),
                XmlDocuments.childText(xml.element(), "title"), XmlDocuments.childText(xml.element(), "description"));
    }

    private static Disk sized(Domain domain, Disk disk) {
        if (disk.path() != null && disk.target() != null) {
            try {
                DomainBlockInfo block = domain.blockInfo(disk.target());
                return disk.withSizes(block.getCapacity(), block.getAllocation());
            } catch (LibvirtException e) {
                // Missing or unreadable image: list the VM anyway, without sizes.
            }
        }
        return disk;
    }
}
