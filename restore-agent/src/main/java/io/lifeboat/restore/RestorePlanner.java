package io.lifeboat.restore;

import io.lifeboat.kvm.domain.Disk;
import io.lifeboat.kvm.domain.DomainXml;
import io.lifeboat.kvm.domain.XmlInputException;
import io.lifeboat.kvm.libvirt.LibvirtConnection;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Checks a {@link RestoreRequest} against the store, the file system and libvirt and turns it
 * into a {@link RestorePlan}, writing nothing. The order of the checks puts cheap, user-caused
 * mistakes first and the chunk preflight (which reads every disk map) last.
 */
final class RestorePlanner {
    private static final int MISSING_SHOWN = 3;

    private final RestoreSource source;

    RestorePlanner(RestoreSource source) {
        this.source = source;
    }

    /** Whether the request needs libvirt at all (a disk-only restore into a directory does not). */
    static boolean needsLibvirt(RestoreRequest r) {
        return !r.diskSubset() || r.mode() == RestoreMode.OVER_ORIGINAL || r.storagePool() != null;
    }

    /** @param host the request's libvirt host; may be null when {@link #needsLibvirt} is false */
    RestorePlan plan(RestoreRequest r, LibvirtHost host) throws StoreException {
        checkRequest(r);
        Manifest m = source.manifest(r.restorePoint());
        List<DiskMap> disks = chooseDisks(m, r.disks());
        boolean defines = !r.diskSubset();
        DomainXml xml = defines ? domainXml(m, r.networks()) : null;
        List<String> notes = new ArrayList<>();

        String name;
        String uuid = null;
        boolean replacesVm = false;
        Map<String, Path> originalFiles = Map.of();
        if (r.mode() == RestoreMode.OVER_ORIGINAL) {
            LibvirtHost.ExistingVm original = original(host, m, xml);
            if (original.running()) {
                throw RestoreException.conflict("VM " + original.name() + " is running on " + host.uri()
                        + "; shut it off before restoring over it");
            }
            if (r.name() != null && !r.name().equals(original.name())) {
                throw RestoreException.badInput("restoring over the original keeps its name " + original.name()
                        + "; to make a VM named " + r.name() + " use a new VM or a clone");
            }
            name = original.name();
            uuid = original.uuid();
            replacesVm = defines;
            originalFiles = fileDisks(DomainXml.parse(original.inactiveXml()));
        } else {
            name = r.name() != null ? r.name() : r.mode() == RestoreMode.CLONE ? m.vm() + "-clone" : m.vm();
            if (r.mode() == RestoreMode.CLONE && name.equals(m.vm())) {
                throw RestoreException.badInput("a clone needs a name other than the original's (" + m.vm() + ")");
            }
            if (defines) {
                Optional<LibvirtHost.ExistingVm> existing = host.byName(name);
                if (existing.isPresent()) {
                    if (!r.overwrite()) {
                        throw RestoreException.conflict("a VM named " + name + " already exists on " + host.uri()
                                + "; choose another name, or ask to overwrite it");
                    }
                    if (existing.get().running()) {
                        throw RestoreException.conflict("VM " + name + " is running on " + host.uri()
                                + "; shut it off before replacing it");
                    }
                    uuid = existing.get().uuid();
                    replacesVm = true;
                    notes.add("VM " + name + " was redefined; disk files of its old definition were left in place");
                } else {
                    uuid = UUID.randomUUID().toString();
                }
            }
        }
        requireVmName(name);

        Path dir = directory(r, host);
        Map<String, Path> files = new LinkedHashMap<>();
        for (DiskMap d : disks) {
            Path file = originalFiles.get(d.name());
            if (file == null) {
                if (dir == null) {
                    throw RestoreException.badInput("VM " + name + " has no file for disk " + d.name()
                            + "; give a directory or storage pool for it");
                }
                file = dir.resolve(name + "-" + d.name() + r.format().extension());
            }
            checkTarget(file, r.overwrite());
            files.put(d.name(), file);
        }
        if (new HashSet<>(files.values()).size() != files.size()) {
            throw RestoreException.badInput("two disks would be written to the same file: " + files);
        }

        requireAllChunks(r.restorePoint(), disks);

        List<String> macs = List.of();
        String definition = null;
        if (defines) {
            Set<String> attached = xml.disks().stream().map(Disk::target).collect(Collectors.toSet());
            files.keySet().stream().filter(d -> !attached.contains(d)).forEach(d ->
                    notes.add("disk " + d + " was written but is not attached: the stored definition has no disk " + d));
            boolean replaces = r.mode() == RestoreMode.OVER_ORIGINAL;
            DomainRemap.Result remapped = DomainRemap.apply(xml, name, uuid, !replaces, files, r.format(), r.networks(),
                    LibvirtConnection.isLocal(r.uri()), replaces ? null : dir);
            notes.addAll(remapped.notes());
            macs = remapped.macs();
            definition = remapped.xml();
        }
        return new RestorePlan(r, m, name, uuid, files, definition, replacesVm, macs, r.storagePool(), notes);
    }

    private static void checkRequest(RestoreRequest r) throws RestoreException {
        if (r.directory() != null && r.storagePool() != null) {
            throw RestoreException.badInput("give a directory or a storage pool for the disk files, not both");
        }
        if (r.mode() == RestoreMode.OVER_ORIGINAL && !r.overwrite()) {
            throw RestoreException.conflict("restoring over the original replaces VM " + r.restorePoint().vm()
                    + "'s disks and definition; ask to overwrite to do that");
        }
        if (r.start() && r.diskSubset()) {
            throw RestoreException.badInput("a restore of single disks defines no VM, so there is nothing to start");
        }
        if (r.diskSubset() && !r.networks().isEmpty()) {
            throw RestoreException.badInput("a restore of single disks defines no VM, so there are no networks to map");
        }
        if (r.name() != null) {
            requireVmName(r.name());
        }
    }

    private static void requireVmName(String name) throws RestoreException {
        try {
            RestorePointId.validateVm(name); // a restored VM must be one Lifeboat can back up again
        } catch (IllegalArgumentException e) {
            throw RestoreException.badInput(e.getMessage());
        }
    }

    private static List<DiskMap> chooseDisks(Manifest m, List<String> names) throws RestoreException {
        if (names.isEmpty()) {
            return m.disks();
        }
        if (new HashSet<>(names).size() != names.size()) {
            throw RestoreException.badInput("a disk is named twice in " + names);
        }
        List<DiskMap> chosen = new ArrayList<>();
        for (String n : names) {
            DiskMap d = m.disk(n);
            if (d == null) {
                throw RestoreException.notFound("restore point " + m.id() + " has no disk " + n + "; it has "
                        + m.disks().stream().map(DiskMap::name).toList());
            }
            chosen.add(d);
        }
        return chosen;
    }

    private static DomainXml domainXml(Manifest m, NetworkMapping networks) throws RestoreException {
        if (m.domainXml().isBlank()) {
            throw RestoreException.badInput("restore point " + m.id() + " carries no VM definition (it was backed up "
                    + "from image files); restore its disks one by one instead");
        }
        DomainXml xml;
        try {
            xml = DomainXml.parse(m.domainXml());
        } catch (XmlInputException e) {
            throw RestoreException.badInput("the VM definition in restore point " + m.id() + " is unusable: " + e.getMessage());
        }
        List<String> used = xml.networks();
        for (String from : networks.byOldName().keySet()) {
            if (!used.contains(from)) {
                throw RestoreException.badInput("the VM has no interface on network " + from + "; its networks: "
                        + (used.isEmpty() ? "none" : String.join(", ", used)));
            }
        }
        return xml;
    }

    /** The VM the restore point was taken of, by the UUID in its stored definition, else by name. */
    private static LibvirtHost.ExistingVm original(LibvirtHost host, Manifest m, DomainXml xml) throws RestoreException {
        String uuid = xml != null ? xml.uuid() : m.domainXml().isBlank() ? null : DomainXml.parse(m.domainXml()).uuid();
        Optional<LibvirtHost.ExistingVm> found = uuid != null ? host.byUuid(uuid) : Optional.empty();
        if (found.isEmpty()) {
            found = host.byName(m.vm());
        }
        return found.orElseThrow(() -> RestoreException.notFound("the original VM " + m.vm() + " is not defined on "
                + host.uri() + "; restore it as a new VM instead"));
    }

    /** File-backed disks of a definition, by target. */
    private static Map<String, Path> fileDisks(DomainXml xml) {
        Map<String, Path> files = new HashMap<>();
        for (Disk d : xml.disks()) {
            if ("disk".equals(d.device()) && "file".equals(d.sourceType()) && d.path() != null) {
                files.put(d.target(), Path.of(d.path()));
            }
        }
        return files;
    }

    private static Path directory(RestoreRequest r, LibvirtHost host) throws RestoreException {
        Path dir = r.storagePool() != null ? host.poolDirectory(r.storagePool()) : r.directory();
        if (dir == null) {
            if (r.mode() == RestoreMode.OVER_ORIGINAL) {
                return null; // the original's own files
            }
            throw RestoreException.badInput("give a directory or a storage pool for the disk files");
        }
        if (!Files.isDirectory(dir)) {
            if (host != null && !LibvirtConnection.isLocal(host.uri())) {
                // The agent writes the disk files itself, on this machine: another host's VM can
                // only use them through storage both see at the same path.
                throw RestoreException.badInput("directory " + dir + (r.storagePool() != null ? " (storage pool "
                        + r.storagePool() + " on " + host.uri() + ")" : "") + " does not exist on this machine; the disk"
                        + " files of a restore to another host are written here, so " + dir + " must be storage that"
                        + " host sees at the same path (NFS, a cluster file system), or run the restore agent on that host");
            }
            throw RestoreException.badInput("directory " + dir + " does not exist");
        }
        return dir.toAbsolutePath();
    }

    private static void checkTarget(Path file, boolean overwrite) throws RestoreException {
        if (!Files.isDirectory(file.getParent())) {
            throw RestoreException.badInput("directory " + file.getParent() + " does not exist");
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw RestoreException.badInput(file + " exists and is not a regular file");
            }
            if (!overwrite) {
                throw RestoreException.conflict(file + " exists; ask to overwrite to replace it");
            }
        }
    }

    /** The preflight: refuses, naming what is missing, unless every chunk of every disk can be read. */
    private void requireAllChunks(RestorePointId id, List<DiskMap> disks) throws StoreException {
        Set<Digest> missing = new LinkedHashSet<>();
        List<String> perDisk = new ArrayList<>();
        for (DiskMap d : disks) {
            List<Digest> m = source.missingChunks(List.of(d));
            if (!m.isEmpty()) {
                perDisk.add(d.name() + ": " + m.size());
                missing.addAll(m);
            }
        }
        if (!missing.isEmpty()) {
            String shown = missing.stream().limit(MISSING_SHOWN).map(Digest::toString).collect(Collectors.joining(", "));
            throw RestoreException.notFound("restore point " + id + " cannot be restored: " + missing.size()
                    + " chunk(s) are missing from the store (" + String.join(", ", perDisk) + "), first "
                    + shown + (missing.size() > MISSING_SHOWN ? ", ..." : "") + "; nothing was written");
        }
    }
}
