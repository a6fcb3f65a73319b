package io.lifeboat.restore;

import io.lifeboat.store.manifest.RestorePointId;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What to restore and where. Built with {@link #of} and the {@code with...} methods; checked by
 * {@link VmRestore#plan} (not here, so that every refusal is a {@link RestoreException}).
 *
 * @param restorePoint the restore point, {@code vm/yyyyMMddTHHmmss.SSSZ}
 * @param uri          libvirt URI the VM is defined on (any host; disk files are written by this
 *                     process, so a remote host needs the same path, e.g. shared storage)
 * @param mode         new VM, clone, or over the original
 * @param name         the VM's name; null for the default (the original's; {@code <vm>-clone} for a clone)
 * @param format       format of the written disk files
 * @param directory    where disk files go as {@code <name>-<disk>.<format>}; null when
 *                     {@code storagePool} is given, or for OVER_ORIGINAL (the original's paths)
 * @param storagePool  a libvirt storage pool of type dir whose target path is used as the directory
 * @param networks     network mapping for {@code <interface type='network'>}
 * @param disks        the disks to restore by target name ({@code vda}); empty for all. A subset
 *                     writes only those disk images and defines no VM (OVER_ORIGINAL: replaces
 *                     only those disks of the original, definition untouched)
 * @param start        start the VM once defined
 * @param overwrite    replace existing disk files and an existing shut-off VM of the same name;
 *                     required for OVER_ORIGINAL
 */
public record RestoreRequest(
        RestorePointId restorePoint,
        String uri,
        RestoreMode mode,
        String name,
        DiskFormat format,
        Path directory,
        String storagePool,
        NetworkMapping networks,
        List<String> disks,
        boolean start,
        boolean overwrite) {

    public static final String DEFAULT_URI = "qemu:///system";

    public RestoreRequest {
        Objects.requireNonNull(restorePoint, "restorePoint");
        uri = uri == null ? DEFAULT_URI : uri;
        mode = mode == null ? RestoreMode.NEW_VM : mode;
        format = format == null ? DiskFormat.QCOW2 : format;
        networks = networks == null ? NetworkMapping.none() : networks;
        disks = disks == null ? List.of() : List.copyOf(disks);
    }

    /** A new VM from {@code restorePoint} on {@code qemu:///system}, qcow2, files in {@code directory}. */
    public static RestoreRequest of(RestorePointId restorePoint, Path directory) {
        return new RestoreRequest(restorePoint, null, null, null, null, directory, null, null, null, false, false);
    }

    public RestoreRequest withUri(String uri) {
        return new RestoreRequest(restorePoint, uri, mode, name, format, directory, storagePool, networks, disks, start, overwrite);
    }

    public RestoreRequest withMode(RestoreMode mode) {
        return new RestoreRequest(restorePoint, uri, mode, name, format, directory, storagePool, networks, disks, start, overwrite);
    }

    public RestoreRequest withName(String name) {
        return new RestoreRequest(restorePoint, uri, mode, name, format, directory, storagePool, networks, disks, start, overwrite);
    }

    public RestoreRequest withFormat(DiskFormat format) {
        return new RestoreRequest(restorePoint, uri, mode, name, format, directory, storagePool, networks, disks, start, overwrite);
    }

    public RestoreRequest withDirectory(Path directory) {
        return new RestoreRequest(restorePoint, uri, mode, name, format, directory, storagePool, networks, disks, start, overwrite);
    }

    public RestoreRequest withStoragePool(String storagePool) {
        return new RestoreRequest(restorePoint, uri, mode, name, format, directory, storagePool, networks, disks, start, overwrite);
    }

    public RestoreRequest withNetworks(NetworkMapping networks) {
        return new RestoreRequest(restorePoint, uri, mode, name, format, directory, storagePool, networks, disks, start, overwrite);
    }

    public RestoreRequest withDisks(List<String> disks) {
        return new RestoreRequest(restorePoint, uri, mode, name, format, directory, storagePool, networks, disks, start, overwrite);
    }

    public RestoreRequest withStart(boolean start) {
        return new RestoreRequest(restorePoint, uri, mode, name, format, directory, storagePool, networks, disks, start, overwrite);
    }

    public RestoreRequest withOverwrite(boolean overwrite) {
        return new RestoreRequest(restorePoint, uri, mode, name, format, directory, storagePool, networks, disks, start, overwrite);
    }

    /** Whether only some disks are restored: images only, no VM definition. */
    public boolean diskSubset() {
        return !disks.isEmpty();
    }
}
