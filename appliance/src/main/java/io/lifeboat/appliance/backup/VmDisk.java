package io.lifeboat.appliance.backup;

import java.nio.file.Path;

/**
 * A disk of a domain that the engine backs up.
 *
 * @param target the guest-visible name ({@code vda}); also the NBD export name and the disk's
 *               name in the manifest
 * @param type   the {@code <disk type>}: file, block, network, volume
 * @param format the {@code <driver type>}: qcow2, raw
 * @param source the image file or block device, or null for network disks
 */
public record VmDisk(String target, String type, String format, Path source) {
    /** Only qcow2 images can carry the persistent bitmaps that checkpoints need. */
    public boolean tracksChanges() {
        return "qcow2".equals(format);
    }
}
