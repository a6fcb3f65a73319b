package io.lifeboat.appliance.inventory;

/**
 * One disk of a VM.
 *
 * @param target        the guest device name, e.g. {@code vda}
 * @param device        {@code disk} or {@code cdrom} (libvirt's {@code <disk device=...>})
 * @param format        the image format from {@code <driver type=...>}, e.g. {@code qcow2} or {@code raw}
 * @param virtualSize   the size the guest sees, in bytes (libvirt block info "capacity")
 * @param allocatedSize bytes the image occupies on the host (libvirt block info "allocation");
 *                      smaller than {@code virtualSize} for sparse and qcow2 images
 * @param path          the file or block device, or {@code null} for network disks and empty drives
 * @param sizeKnown     false when libvirt could not read the image (missing file, empty cdrom);
 *                      both sizes are 0 then
 */
public record VmDisk(String target, String device, String format, long virtualSize, long allocatedSize,
                     String path, boolean sizeKnown) {
}
