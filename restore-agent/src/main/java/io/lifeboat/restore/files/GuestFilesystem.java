package io.lifeboat.restore.files;

/**
 * A file system libguestfs found on a restore point's disks: on a whole disk, a partition (MBR or
 * GPT) or a logical volume.
 *
 * @param device    libguestfs' name for it, e.g. {@code /dev/sda1} or {@code /dev/vg0/root}; the
 *                  disks are {@code /dev/sda}, {@code /dev/sdb}, ... in the restore point's order
 * @param type      as {@code vfs-type} reports it: ext4, xfs, vfat, ntfs, btrfs, ...
 * @param label     its label, empty if none
 * @param sizeBytes the size of the device it is on
 */
public record GuestFilesystem(String device, String type, String label, long sizeBytes) {
}
