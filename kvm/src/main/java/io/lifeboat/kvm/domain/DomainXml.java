package io.lifeboat.kvm.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.UUID;
import java.util.function.Supplier;

import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * A libvirt domain definition: reads the parts the inventory lists and the backup engine needs,
 * and makes the edits a clone needs. Holds a DOM; edits change it in place and {@link #toXml()}
 * writes it back.
 */
public final class DomainXml {

    private final Document document;
    private final Element domain;

    private DomainXml(Document document) {
        this.document = document;
        this.domain = document.getDocumentElement();
    }

    /** Parses a domain definition; anything but a well-formed {@code <domain>} is BAD_INPUT. */
    public static DomainXml parse(String xml) {
        Document document = XmlDocuments.parse(xml, "Domain XML");
        if (!"domain".equals(document.getDocumentElement().getTagName())) {
            throw new XmlInputException("Domain XML must have <domain> as its root element, not <"
                    + document.getDocumentElement().getTagName() + ">");
        }
        return new DomainXml(document);
    }

    /** Lifeboat runs VMs under TCG only ({@code type='qemu'}); KVM domains are BAD_INPUT here. */
    public DomainXml requireQemuType() {
        String type = XmlDocuments.attribute(domain, "type");
        if (!"qemu".equals(type)) {
            throw new XmlInputException("Domain type must be 'qemu' (TCG), not '" + type + "'");
        }
        return this;
    }

    public String name() {
        return XmlDocuments.childText(domain, "name");
    }

    public String uuid() {
        return XmlDocuments.childText(domain, "uuid");
    }

    public List<Disk> disks() {
        List<Disk> disks = new ArrayList<>();
        for (Element disk : devices("disk")) {
            Element target = XmlDocuments.child(disk, "target");
            Element source = XmlDocuments.child(disk, "source");
            String path = source == null ? null
                    : firstNonNull(XmlDocuments.attribute(source, "file"), XmlDocuments.attribute(source, "dev"));
            disks.add(new Disk(XmlDocuments.attribute(target, "dev"),
                    firstNonNull(XmlDocuments.attribute(disk, "device"), "disk"),
                    firstNonNull(XmlDocuments.attribute(disk, "type"), "file"),
                    firstNonNull(XmlDocuments.attribute(XmlDocuments.child(disk, "driver"), "type"), "raw"),
                    path, XmlDocuments.child(disk, "readonly") != null));
        }
        return disks;
    }

    /** Whether a {@code <channel>} with this target name is defined (e.g. {@code org.qemu.guest_agent.0}). */
    public boolean hasChannel(String targetName) {
        for (Element channel : devices("channel")) {
            if (targetName.equals(XmlDocuments.attribute(XmlDocuments.child(channel, "target"), "name"))) {
                return true;
            }
        }
        return false;
    }

    /** MAC addresses of the network interfaces, in document order. */
    public List<String> macs() {
        List<String> macs = new ArrayList<>();
        for (Element mac : interfaceMacs()) {
            macs.add(mac.getAttribute("address"));
        }
        return macs;
    }

    /** The {@code <domain>} element, for readers of parts this class does not model (such as metadata). */
    public Element element() {
        return domain;
    }

    public void rename(String name) {
        replaceChildText("name", name);
    }

    public void setUuid(UUID uuid) {
        replaceChildText("uuid", uuid.toString());
    }

    /**
     * Sets the number of virtual CPUs (dropping a {@code current} count below it and a CPU
     * topology that would not match).
     */
    public void setVcpus(int vcpus) {
        if (vcpus < 1) {
            throw new IllegalArgumentException("vcpus must be at least 1");
        }
        replaceChildText("vcpu", Integer.toString(vcpus));
        XmlDocuments.child(domain, "vcpu").removeAttribute("current");
        Element cpu = XmlDocuments.child(domain, "cpu");
        if (cpu != null) {
            XmlDocuments.children(cpu, "topology").forEach(cpu::removeChild);
        }
    }

    /** Sets the memory, in bytes rounded down to KiB, as both its maximum and its current size. */
    public void setMemory(long bytes) {
        if (bytes < 1024) {
            throw new IllegalArgumentException("memory must be at least 1 KiB");
        }
        for (String name : List.of("memory", "currentMemory")) {
            replaceChildText(name, Long.toString(bytes / 1024));
            XmlDocuments.child(domain, name).setAttribute("unit", "KiB");
        }
    }

    /** Gives every interface a new MAC from {@code macs}; interfaces without one get one added. */
    public void replaceMacs(Supplier<String> macs) {
        for (Element nic : devices("interface")) {
            Element mac = XmlDocuments.child(nic, "mac");
            if (mac == null) {
                mac = document.createElement("mac");
                nic.insertBefore(mac, nic.getFirstChild());
            }
            mac.setAttribute("address", macs.get());
        }
    }

    /**
     * Points the disk with this target at a new file image of {@code format}, dropping any backing
     * chain: the copy is a flat image.
     */
    public void replaceDiskFile(String target, String path, String format) {
        Element disk = requireDisk(target);
        disk.setAttribute("type", "file");
        XmlDocuments.children(disk, "source").forEach(disk::removeChild);
        XmlDocuments.children(disk, "backingStore").forEach(disk::removeChild);
        Element source = document.createElement("source");
        source.setAttribute("file", path);
        disk.insertBefore(source, XmlDocuments.child(disk, "target"));
        Element driver = XmlDocuments.child(disk, "driver");
        if (driver != null) {
            driver.setAttribute("type", format);
        }
    }

    /**
     * Makes the disk with this target a qcow2 overlay file backed by a raw NBD export on a unix
     * socket (libvirt's {@code <backingStore type='network'>}), the chain instant recovery runs
     * a VM on. Read and write errors stop the VM instead of reaching the guest: if the export
     * goes away, the VM pauses and can be resumed once it is back, and the guest never sees a
     * failed read as data.
     */
    public void backWithNbd(String target, String overlay, String exportName, String socket) {
        replaceDiskFile(target, overlay, "qcow2");
        Element disk = requireDisk(target);
        Element driver = XmlDocuments.child(disk, "driver");
        if (driver == null) {
            driver = document.createElement("driver");
            driver.setAttribute("name", "qemu");
            driver.setAttribute("type", "qcow2");
            disk.insertBefore(driver, disk.getFirstChild());
        }
        driver.setAttribute("error_policy", "stop");
        driver.setAttribute("rerror_policy", "stop");
        Element backing = document.createElement("backingStore");
        backing.setAttribute("type", "network");
        Element format = document.createElement("format");
        format.setAttribute("type", "raw");
        backing.appendChild(format);
        Element source = document.createElement("source");
        source.setAttribute("protocol", "nbd");
        source.setAttribute("name", exportName);
        Element host = document.createElement("host");
        host.setAttribute("transport", "unix");
        host.setAttribute("socket", socket);
        source.appendChild(host);
        backing.appendChild(source);
        disk.insertBefore(backing, XmlDocuments.child(disk, "target"));
    }

    /**
     * Removes the UEFI variable store path so libvirt creates a fresh one for the new name
     * instead of two VMs sharing one file.
     */
    public void dropNvramPath() {
        Element os = XmlDocuments.child(domain, "os");
        if (os != null) {
            XmlDocuments.children(os, "nvram").forEach(os::removeChild);
        }
    }

    /**
     * Names of the libvirt networks the {@code <interface type='network'>} elements use, each
     * once, in document order. Bridge, user and direct interfaces are not listed.
     */
    public List<String> networks() {
        List<String> networks = new ArrayList<>();
        for (Element source : networkSources()) {
            String network = source.getAttribute("network");
            if (!networks.contains(network)) {
                networks.add(network);
            }
        }
        return networks;
    }

    /**
     * Moves every {@code <interface type='network'>} whose network is a key of {@code mapping} to
     * the mapped network; interfaces on other networks are left alone.
     */
    public void remapNetworks(Map<String, String> mapping) {
        for (Element source : networkSources()) {
            String replacement = mapping.get(source.getAttribute("network"));
            if (replacement != null) {
                source.setAttribute("network", replacement);
            }
        }
    }

    /**
     * Puts every interface, whatever its type (network, bridge, user, direct), on the libvirt
     * network {@code network}: what the host's own wiring (a tap, a bridge, user-mode networking)
     * would have reached, it no longer does. MAC, model and PCI address stay.
     */
    public void isolateOn(String network) {
        for (Element nic : devices("interface")) {
            nic.setAttribute("type", "network");
            for (String wiring : List.of("source", "target", "virtualport", "ip", "route", "backend", "portForward")) {
                XmlDocuments.children(nic, wiring).forEach(nic::removeChild);
            }
            Element source = document.createElement("source");
            source.setAttribute("network", network);
            nic.insertBefore(source, nic.getFirstChild());
        }
    }

    /** Removes the {@code <disk>} with this target; unknown targets are an IllegalArgumentException. */
    public void removeDisk(String target) {
        Element disk = requireDisk(target);
        disk.getParentNode().removeChild(disk);
    }

    /**
     * Empties a drive: drops the {@code <source>} and backing chain of the disk with this target,
     * which leaves a cdrom or floppy drive without media.
     */
    public void ejectMedia(String target) {
        Element disk = requireDisk(target);
        XmlDocuments.children(disk, "source").forEach(disk::removeChild);
        XmlDocuments.children(disk, "backingStore").forEach(disk::removeChild);
    }

    /**
     * Sets the image format libvirt opens the disk with ({@code <driver type=...>}), adding a
     * {@code <driver name='qemu'>} element when the disk has none (libvirt would then assume raw).
     */
    public void setDiskFormat(String target, String format) {
        Element disk = requireDisk(target);
        Element driver = XmlDocuments.child(disk, "driver");
        if (driver == null) {
            driver = document.createElement("driver");
            driver.setAttribute("name", "qemu");
            disk.insertBefore(driver, disk.getFirstChild());
        }
        driver.setAttribute("type", format);
    }

    public String toXml() {
        return XmlDocuments.write(document);
    }

    /**
     * The {@code <disk>} element with this target, for readers of what {@link Disk} does not hold
     * (a live definition's {@code <mirror>} or {@code <backingStore index=...>}).
     */
    public Optional<Element> diskElement(String target) {
        for (Element disk : devices("disk")) {
            if (target.equals(XmlDocuments.attribute(XmlDocuments.child(disk, "target"), "dev"))) {
                return Optional.of(disk);
            }
        }
        return Optional.empty();
    }

    private Element requireDisk(String target) {
        return diskElement(target).orElseThrow(() -> new IllegalArgumentException("no disk with target " + target));
    }

    private List<Element> networkSources() {
        List<Element> sources = new ArrayList<>();
        for (Element nic : devices("interface")) {
            Element source = XmlDocuments.child(nic, "source");
            if ("network".equals(nic.getAttribute("type")) && source != null && source.hasAttribute("network")) {
                sources.add(source);
            }
        }
        return sources;
    }

    private List<Element> interfaceMacs() {
        List<Element> macs = new ArrayList<>();
        for (Element nic : devices("interface")) {
            Element mac = XmlDocuments.child(nic, "mac");
            if (mac != null) {
                macs.add(mac);
            }
        }
        return macs;
    }

    /** The {@code <devices>} children of this kind ({@code disk}, {@code interface}, ...). */
    private List<Element> devices(String kind) {
        Element devices = XmlDocuments.child(domain, "devices");
        return devices == null ? List.of() : XmlDocuments.children(devices, kind);
    }

    private void replaceChildText(String name, String text) {
        Element existing = XmlDocuments.child(domain, name);
        if (existing == null) {
            existing = document.createElement(name);
            domain.insertBefore(existing, domain.getFirstChild());
        }
        existing.setTextContent(text);
    }

    private static String firstNonNull(String a, String b) {
        return a != null ? a : b;
    }
}
