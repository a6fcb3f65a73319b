package io.lifeboat.kvm.domain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.w3c.dom.Element;

/**
 * The host paths of a domain besides its disks, and how a VM defined from another one's
 * definition (a restore as a new VM, a clone, an instant recovery) gets its own: a second VM that
 * shares the original's serial log file fails to start ("Cannot open log file ... Device or
 * resource busy"), one that shares a socket steals it.
 *
 * <ul>
 * <li>file-backed serial, console, parallel and channel devices and every {@code <log file>}:
 *     a file {@code <name>-<device><n>.log} (or {@code -log.log}) in the given directory, the one
 *     the disks go to; a console that mirrors a serial port's file gets the same new file;
 * <li>unix sockets the VM listens on ({@code mode='bind'}): a channel's path is dropped so libvirt
 *     makes one of its own for the new domain; a serial or console socket goes to
 *     {@code <name>-<device><n>.sock} in that directory. A socket the VM connects to is another
 *     program's and is kept;
 * <li>graphics listening on a unix socket: the path is dropped, libvirt makes its own;
 * <li>an emulated TPM: its state is libvirt's, per UUID; the new VM starts with an empty one;
 * <li>what cannot be shared or remapped: a host pipe or device behind a character device, a
 *     passed-through TPM: {@link Unremappable}, naming the device.
 * </ul>
 * The UEFI variable store is {@link DomainXml#dropNvramPath()}'s.
 */
public final class HostPaths {

    /** A device whose host path a new VM can neither share nor be given one of its own. */
    public static final class Unremappable extends IllegalArgumentException {
        Unremappable(String message) {
            super(message);
        }
    }

    private static final List<String> CHARACTER_DEVICES = List.of("serial", "console", "parallel", "channel");

    private HostPaths() {
    }

    /**
     * Gives the new VM {@code name} its own host paths, in {@code dir}; returns what was changed,
     * as notes for the user. Throws {@link Unremappable} (the definition then unchanged) for a
     * device it cannot remap.
     */
    public static List<String> remap(DomainXml xml, String name, Path dir) {
        Element devices = XmlDocuments.child(xml.element(), "devices");
        if (devices == null) {
            return List.of();
        }
        refuseWhatCannotBeRemapped(devices);
        List<String> notes = new ArrayList<>();
        Map<String, String> files = new HashMap<>(); // old file → new, so a console mirroring a serial follows it
        for (String kind : CHARACTER_DEVICES) {
            int n = 0;
            for (Element device : XmlDocuments.children(devices, kind)) {
                String label = kind + n;
                String type = device.getAttribute("type");
                Element source = XmlDocuments.child(device, "source");
                String path = source == null ? "" : source.getAttribute("path");
                if ("file".equals(type) && !path.isEmpty()) {
                    String moved = files.computeIfAbsent(path, p -> dir.resolve(name + "-" + label + ".log").toString());
                    source.setAttribute("path", moved);
                    notes.add(kind + " " + n + " writes to " + moved + " instead of " + path);
                } else if ("unix".equals(type) && !path.isEmpty() && "bind".equals(source.getAttribute("mode"))) {
                    if ("channel".equals(kind)) {
                        source.removeAttribute("path");
                        notes.add("channel " + n + ": libvirt makes the new VM its own socket instead of " + path);
                    } else {
                        String moved = dir.resolve(name + "-" + label + ".sock").toString();
                        source.setAttribute("path", moved);
                        notes.add(kind + " " + n + " listens on " + moved + " instead of " + path);
                    }
                } else if ("unix".equals(type) && !path.isEmpty()) {
                    notes.add(kind + " " + n + " connects to " + path + ", as the original did");
                }
                Element log = XmlDocuments.child(device, "log");
                if (log != null && !log.getAttribute("file").isEmpty()) {
                    String old = log.getAttribute("file");
                    String moved = files.computeIfAbsent(old, p -> dir.resolve(name + "-" + label + "-log.log").toString());
                    log.setAttribute("file", moved);
                    notes.add(kind + " " + n + " logs to " + moved + " instead of " + old);
                }
                n++;
            }
        }
        for (Element graphics : XmlDocuments.children(devices, "graphics")) {
            if (graphics.hasAttribute("socket")) {
                graphics.removeAttribute("socket");
                notes.add(graphics.getAttribute("type") + " graphics: libvirt makes the new VM its own socket");
            }
            for (Element listen : XmlDocuments.children(graphics, "listen")) {
                if ("socket".equals(listen.getAttribute("type")) && listen.hasAttribute("socket")) {
                    listen.removeAttribute("socket");
                    notes.add(graphics.getAttribute("type") + " graphics: libvirt makes the new VM its own socket");
                }
            }
        }
        for (Element tpm : XmlDocuments.children(devices, "tpm")) {
            Element backend = XmlDocuments.child(tpm, "backend");
            if (backend != null && "emulator".equals(backend.getAttribute("type"))) {
                notes.add("the emulated TPM starts empty: its state is not in the restore point (keys sealed to it,"
                        + " such as a BitLocker or LUKS TPM key, need their recovery key)");
            }
        }
        return notes;
    }

    private static void refuseWhatCannotBeRemapped(Element devices) {
        for (String kind : CHARACTER_DEVICES) {
            int n = 0;
            for (Element device : XmlDocuments.children(devices, kind)) {
                String type = device.getAttribute("type");
                if ("pipe".equals(type) || "dev".equals(type)) {
                    Element source = XmlDocuments.child(device, "source");
                    throw new Unremappable(kind + " " + n + " uses the host " + ("dev".equals(type) ? "device " : "pipe ")
                            + (source == null ? "" : source.getAttribute("path")) + ", which a second VM cannot share and"
                            + " Lifeboat cannot give it one of its own; remove that " + kind
                            + " from the original VM's definition, back up again, or restore over the original");
                }
                n++;
            }
        }
        for (Element tpm : XmlDocuments.children(devices, "tpm")) {
            Element backend = XmlDocuments.child(tpm, "backend");
            if (backend != null && "passthrough".equals(backend.getAttribute("type"))) {
                throw new Unremappable("the TPM is the host's own, passed through; a second VM cannot have it:"
                        + " remove the <tpm> from the original VM's definition, or restore over the original");
            }
        }
    }
}
