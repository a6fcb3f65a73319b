package io.lifeboat.appliance.inventory;

import io.lifeboat.kvm.domain.Disk;
import io.lifeboat.kvm.domain.DomainXml;
import io.lifeboat.kvm.domain.XmlInputException;
import io.lifeboat.kvm.libvirt.LibvirtConnection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

import io.lifeboat.appliance.inventory.InventoryException.Kind;

/** Define, start, stop and delete VMs. */
public class VmLifecycle {

    private static final Duration POLL = Duration.ofMillis(100);

    // virDomainUndefineFlagsValues; libvirt-java 0.5.4 lacks constants for NVRAM and checkpoints.
    private static final int UNDEFINE_MANAGED_SAVE = 1;
    private static final int UNDEFINE_SNAPSHOTS_METADATA = 2;
    private static final int UNDEFINE_NVRAM = 4;
    private static final int UNDEFINE_CHECKPOINTS_METADATA = 16;

    private final LibvirtHosts hosts;

    public VmLifecycle(LibvirtHosts hosts) {
        this.hosts = hosts;
    }

    /**
     * Defines a new, persistent VM from domain XML. The XML must be well-formed, of type
     * {@code qemu}, and name a VM (and UUID, if given) the host does not have yet; otherwise
     * BAD_INPUT or CONFLICT and nothing is defined.
     */
    public Vm define(String host, String domainXml) {
        DomainXml xml;
        try {
            xml = DomainXml.parse(domainXml).requireQemuType();
        } catch (XmlInputException e) {
            throw InventoryException.badInput(e.getMessage());
        }
        String name = Names.requireVmName(xml.name());
        return hosts.call(host, "define VM " + name + " on " + host, connect -> {
            requireNew(connect, host, name, xml.uuid());
            return Inventory.describe(host, connect.domainDefineXML(domainXml));
        });
    }

    /** Starts a stopped VM; a running one is CONFLICT. */
    public VmState start(String host, String vm) {
        return hosts.withDomain(host, vm, "start", domain -> {
            if (domain.isActive() == 1) {
                throw InventoryException.conflict("VM " + vm + " is already running");
            }
            domain.create();
            return VmState.of(domain.getInfo().state);
        });
    }

    /**
     * Asks the guest to shut down (ACPI power button) and waits up to {@code timeout} for it to be
     * off; {@link Duration#ZERO} returns at once. A guest without an OS or ACPI support ignores
     * the request: that is TIMEOUT, and {@link #forceOff} is the way out.
     */
    public VmState shutdown(String host, String vm, Duration timeout) {
        hosts.withDomain(host, vm, "shut down", domain -> {
            if (domain.isActive() != 1) {
                throw InventoryException.conflict("VM " + vm + " is not running");
            }
            domain.shutdown();
            return null;
        });
        if (timeout.isZero()) {
            return state(host, vm);
        }
        if (!awaitState(host, vm, VmState.SHUT_OFF, timeout)) {
            throw new InventoryException(Kind.TIMEOUT, "VM " + vm + " did not shut down within "
                    + timeout.toSeconds() + " s; the guest may ignore ACPI (no OS, or no ACPI support): force it off");
        }
        return VmState.SHUT_OFF;
    }

    /** Pulls the plug ({@code virDomainDestroy}); a VM that is not running is CONFLICT. */
    public VmState forceOff(String host, String vm) {
        return hosts.withDomain(host, vm, "force off", domain -> {
            if (domain.isActive() != 1) {
                throw InventoryException.conflict("VM " + vm + " is not running");
            }
            domain.destroy();
            return VmState.of(domain.getInfo().state);
        });
    }

    /**
     * Undefines a stopped VM together with its snapshot, checkpoint, managed-save and NVRAM
     * metadata. Disk images (the top file of each {@code device='disk'}, never a cdrom image or a
     * backing file, which other VMs may share) are deleted only when {@code deleteDisks} is set,
     * and only on a local host. A running VM is CONFLICT: force it off first.
     *
     * @return the disk files deleted
     */
    public List<Path> delete(String host, String vm, boolean deleteDisks) {
        if (deleteDisks && !LibvirtConnection.isLocal(host)) {
            throw new InventoryException(Kind.UNSUPPORTED,
                    "Deleting disk files needs a local libvirt host, not " + host);
        }
        List<Path> disks = hosts.withDomain(host, vm, "delete", domain -> {
            if (domain.isActive() == 1) {
                throw InventoryException.conflict("VM " + vm + " is running; force it off before deleting it");
            }
            List<Path> files = diskFiles(DomainXml.parse(domain.getXMLDesc(Domain.XMLFlags.INACTIVE)));
            domain.undefine(UNDEFINE_MANAGED_SAVE | UNDEFINE_SNAPSHOTS_METADATA | UNDEFINE_NVRAM
                    | UNDEFINE_CHECKPOINTS_METADATA);
            return files;
        });
        List<Path> deleted = new ArrayList<>();
        if (deleteDisks) {
            for (Path file : disks) {
                try {
                    if (Files.deleteIfExists(file)) {
                        deleted.add(file);
                    }
                } catch (IOException e) {
                    throw new InventoryException(Kind.FAILED, "VM " + vm + " was deleted but its disk " + file
                            + " could not be: " + e.getMessage(), e);
                }
            }
        }
        return deleted;
    }

    /** The VM's current state. */
    public VmState state(String host, String vm) {
        return hosts.withDomain(host, vm, "read state of", domain -> VmState.of(domain.getInfo().state));
    }

    /** Polls until the VM is in {@code wanted} or {@code timeout} passes; true if it got there. */
    public boolean awaitState(String host, String vm, VmState wanted, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (state(host, vm) == wanted) {
                return true;
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    static void requireNew(Connect connect, String host, String name, String uuid) throws LibvirtException {
        if (LibvirtHosts.exists(connect, name)) {
            throw InventoryException.conflict("A VM named '" + name + "' already exists on " + host);
        }
        if (uuid != null) {
            try {
                Domain clash = connect.domainLookupByUUIDString(uuid);
                throw InventoryException.conflict("VM " + clash.getName() + " on " + host + " already has UUID " + uuid);
            } catch (LibvirtException e) {
                if (InventoryException.hasCode(e, ErrorNumber.VIR_ERR_INVALID_ARG)) {
                    throw InventoryException.badInput("Invalid UUID '" + uuid + "' in domain XML");
                }
                if (!InventoryException.hasCode(e, ErrorNumber.VIR_ERR_NO_DOMAIN)) {
                    throw e;
                }
            }
        }
    }

    /** The image files Lifeboat owns for a VM: the top file of each disk (not cdroms). */
    static List<Path> diskFiles(DomainXml xml) {
        List<Path> files = new ArrayList<>();
        for (Disk disk : xml.disks()) {
            if ("disk".equals(disk.device()) && "file".equals(disk.sourceType()) && disk.path() != null) {
                files.add(Path.of(disk.path()));
            }
        }
        return files;
    }
}
