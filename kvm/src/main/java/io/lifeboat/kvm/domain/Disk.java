package io.lifeboat.kvm.domain;

/**
 * One {@code <disk>} of a domain: what its XML says ({@link DomainXml#disks()}) and, once asked of
 * libvirt, how big its image is ({@link #withSizes}). The inventory lists it, the backup engine
 * picks the disks to back up from it, a clone or restore copies it.
 *
 * @param target        the guest device name, e.g. {@code vda}; also the NBD export name and the
 *                      disk's name in a manifest
 * @param device        {@code disk}, {@code cdrom} or {@code floppy} (libvirt's {@code <disk device=...>})
 * @param sourceType    the {@code <disk type>}: file, block, network, volume
 * @param format        the image format from {@code <driver type=...>}, e.g. {@code qcow2} or {@code raw}
 * @param path          the file or block device, or {@code null} for network disks and empty drives
 * @param readOnly      the {@code <readonly/>} flag
 * @param virtualSize   the size the guest sees, in bytes (libvirt block info "capacity")
 * @param allocatedSize bytes the image occupies on the host (libvirt block info "allocation");
 *                      smaller than {@code virtualSize} for sparse and qcow2 images
 * @param sizeKnown     false until libvirt has read the image, and when it could not (missing file,
 *                      empty cdrom); both sizes are 0 then
 */
public record Disk(String target, String device, String sourceType, String format, String path, boolean readOnly,
                   long virtualSize, long allocatedSize, boolean sizeKnown) {

    /** A disk as its XML describes it, sizes not yet known. */
    public Disk(String target, String device, String sourceType, String format, String path, boolean readOnly) {
        this(target, device, sourceType, format, path, readOnly, 0, 0, false);
    }

    /** This disk with the sizes libvirt reported for its image. */
    public Disk withSizes(long virtualSize, long allocatedSize) {
        return new Disk(target, device, sourceType, format, path, readOnly, virtualSize, allocatedSize, true);
    }

    /** A drive with something in it: a file or device, or a network source. */
    public boolean hasMedium() {
        return path != null || "network".equals(sourceType);
    }

    /** Only qcow2 images can carry the persistent bitmaps that checkpoints need. */
    public boolean tracksChanges() {
        return "qcow2".equals(format);
    }
}
