package io.lifeboat.appliance.inventory;

import io.lifeboat.kvm.KvmException;
import io.lifeboat.kvm.domain.Disk;
import io.lifeboat.kvm.domain.DomainXml;
import io.lifeboat.kvm.domain.HostPaths;
import io.lifeboat.kvm.domain.Macs;
import io.lifeboat.kvm.libvirt.LibvirtConnection;
import io.lifeboat.kvm.qemu.QemuImg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.libvirt.Domain;
import org.libvirt.LibvirtException;

import io.lifeboat.appliance.inventory.InventoryException.Kind;

/**
 * Clones a shut-off VM on the same host: the copy gets the new name, a new UUID, new MAC
 * addresses (52:54:00:xx:xx:xx, QEMU's prefix) and its own copies of the disks, made with
 * {@code qemu-img convert} into {@code <name>-<target>.qcow2} (or {@code .img} for raw) beside
 * the originals or in a chosen directory; serial log files and sockets become its own there
 * ({@link HostPaths}). Tags are kept; snapshots are not (their metadata is
 * libvirt's, and convert copies only the current state). cdrom images stay shared, read-only.
 *
 * <p>The source must be shut off for the whole copy: a copy of a running VM's disk is not
 * crash-consistent. If the source is started while copying, the clone is abandoned (CONFLICT).
 */
public class VmCloner {

    private final LibvirtHosts hosts;

    public VmCloner(LibvirtHosts hosts) {
        this.hosts = hosts;
    }

    /**
     * @param targetDir where the disk copies go; {@code null} puts each beside its original
     * @return the new VM, shut off
     */
    public Vm clone(String host, String source, String newName, Path targetDir) {
        Names.requireVmName(newName);
        if (!LibvirtConnection.isLocal(host)) {
            throw new InventoryException(Kind.UNSUPPORTED, "Cloning copies disk files and needs a local libvirt host, not " + host);
        }
        DomainXml xml = hosts.withDomain(host, source, "clone", domain -> {
            requireShutOff(domain, source);
            VmLifecycle.requireNew(domain.getConnect(), host, newName, null);
            return DomainXml.parse(domain.getXMLDesc(Domain.XMLFlags.INACTIVE | Domain.XMLFlags.SECURE));
        });
        Map<Disk, Path> copies = plan(xml, newName, targetDir);
        Path ownFiles = targetDir != null ? targetDir
                : copies.isEmpty() ? null : copies.values().iterator().next().toAbsolutePath().getParent();
        if (ownFiles != null) {
            try {
                HostPaths.remap(xml, newName, ownFiles); // before any copy: a refusal leaves nothing behind
            } catch (HostPaths.Unremappable e) {
                throw new InventoryException(Kind.UNSUPPORTED, "Cannot clone " + source + ": " + e.getMessage());
            }
        }
        List<Path> written = new ArrayList<>();
        try {
            for (Map.Entry<Disk, Path> copy : copies.entrySet()) {
                Disk disk = copy.getKey();
                written.add(copy.getValue());
                try {
                    QemuImg.convert(Path.of(disk.path()), disk.format(), copy.getValue(), disk.format());
                } catch (KvmException e) {
                    throw InventoryException.from(e);
                }
                xml.replaceDiskFile(disk.target(), copy.getValue().toString(), disk.format());
            }
            xml.rename(newName);
            xml.setUuid(UUID.randomUUID());
            xml.replaceMacs(Macs.fresh(xml.macs()));
            xml.dropNvramPath();
            return hosts.call(host, "define clone " + newName + " of " + source + " on " + host, connect -> {
                requireShutOff(LibvirtHosts.lookup(connect, host, source), source);
                VmLifecycle.requireNew(connect, host, newName, null);
                return Inventory.describe(host, connect.domainDefineXML(xml.toXml()));
            });
        } catch (RuntimeException e) {
            written.forEach(VmCloner::deleteQuietly);
            throw e;
        }
    }

    private static Map<Disk, Path> plan(DomainXml xml, String newName, Path targetDir) {
        Map<Disk, Path> copies = new LinkedHashMap<>();
        for (Disk disk : xml.disks()) {
            if (!"disk".equals(disk.device())) {
                continue; // cdrom and floppy images stay shared
            }
            if (!"file".equals(disk.sourceType()) || disk.path() == null) {
                throw new InventoryException(Kind.UNSUPPORTED, "Disk " + disk.target() + " is a " + disk.sourceType()
                        + " disk; only file-backed disks can be cloned");
            }
            Path original = Path.of(disk.path());
            Path dir = targetDir != null ? targetDir : original.toAbsolutePath().getParent();
            Path copy = dir.resolve(newName + "-" + disk.target() + ("qcow2".equals(disk.format()) ? ".qcow2" : ".img"));
            if (Files.exists(copy)) {
                throw InventoryException.conflict("Disk file " + copy + " already exists");
            }
            copies.put(disk, copy);
        }
        return copies;
    }

    private static void requireShutOff(Domain domain, String vm) throws LibvirtException {
        if (domain.isActive() == 1) {
            throw InventoryException.conflict("VM " + vm + " must be shut off to be cloned");
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // Best effort: the clone failed already and that is the error to report.
        }
    }
}
