package io.lifeboat.restore;

import io.lifeboat.kvm.domain.Disk;
import io.lifeboat.kvm.domain.DomainXml;
import io.lifeboat.kvm.domain.HostPaths;
import io.lifeboat.kvm.domain.Macs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the domain definition stored in a restore point into the one to define (rules in
 * docs/restore.md, "Domain XML remapping"):
 * <ul>
 * <li>name and UUID are set; MAC addresses are replaced when the VM is a new one;
 * <li>every restored disk points at its new file, in the restored format, without backing chain;
 * <li>disks that are not in the restore point are removed (they were not backed up, and pointing
 *     a new VM at the original's file would share it);
 * <li>cdrom and floppy media are kept only if the image exists on this machine and the VM is
 *     defined here; otherwise the drive is left empty;
 * <li>the UEFI variable store path is dropped for a new VM (libvirt makes a fresh one);
 * <li>unless the VM replaces the original, its other host paths become its own
 *     ({@link HostPaths}: serial and console log files and sockets beside its disks, channel and
 *     graphics sockets libvirt's); a device that cannot be remapped (a host pipe or device, a
 *     passed-through TPM) refuses the restore;
 * <li>networks are moved per the {@link NetworkMapping}.
 * </ul>
 * Instant recovery applies the same rules with the NBD-backed overlays as the disk files.
 */
public final class DomainRemap {

    /** The definition to give libvirt, the MAC addresses it ends up with, and what was changed beyond the obvious. */
    public record Result(String xml, List<String> macs, List<String> notes) {
    }

    private DomainRemap() {
    }

    /**
     * @param newVm     true for NEW_VM and CLONE: new MACs, no shared nvram
     * @param diskFiles restored disks by target name
     * @param local     the VM is defined on this machine's libvirt, so local media paths mean something there
     * @param ownFiles  where the VM's own host files (serial logs, sockets) go; null keeps the
     *                  definition's (the VM replaces the original, whose paths they are)
     */
    public static Result apply(DomainXml xml, String name, String uuid, boolean newVm, Map<String, Path> diskFiles,
                        DiskFormat format, NetworkMapping networks, boolean local, Path ownFiles) throws RestoreException {
        List<String> notes = new ArrayList<>();
        if (ownFiles != null) {
            notes.addAll(remapHostPaths(xml, name, ownFiles));
        }
        xml.element().removeAttribute("id"); // a running domain's id, meaningless in a definition
        xml.rename(name);
        xml.setUuid(java.util.UUID.fromString(uuid));
        if (newVm) {
            Set<String> taken = new HashSet<>(xml.macs());
            xml.replaceMacs(Macs.fresh(taken));
            xml.dropNvramPath();
        }
        for (Disk disk : xml.disks()) {
            Path file = diskFiles.get(disk.target());
            if (file != null) {
                xml.replaceDiskFile(disk.target(), file.toString(), format.driverType());
                xml.setDiskFormat(disk.target(), format.driverType());
            } else if ("cdrom".equals(disk.device()) || "floppy".equals(disk.device())) {
                if (disk.path() != null && !(local && Files.isRegularFile(Path.of(disk.path())))) {
                    xml.ejectMedia(disk.target());
                    notes.add(disk.device() + " " + disk.target() + " left empty: " + disk.path() + " is not available there");
                }
            } else {
                xml.removeDisk(disk.target());
                notes.add("disk " + disk.target() + " removed: it is not in the restore point");
            }
        }
        xml.remapNetworks(networks.byOldName());
        return new Result(xml.toXml(), xml.macs(), notes);
    }

    /** {@link HostPaths#remap}, its refusal a BAD_INPUT that names the device. */
    public static List<String> remapHostPaths(DomainXml xml, String name, Path dir) throws RestoreException {
        try {
            return HostPaths.remap(xml, name, dir);
        } catch (HostPaths.Unremappable e) {
            throw RestoreException.badInput("cannot restore as a new VM: " + e.getMessage());
        }
    }
}
