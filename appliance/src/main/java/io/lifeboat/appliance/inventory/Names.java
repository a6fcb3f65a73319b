package io.lifeboat.appliance.inventory;

import java.util.regex.Pattern;

/**
 * What names Lifeboat accepts for VMs and snapshots: they end up in file names (cloned disks,
 * backups) and URLs, so no slashes, spaces or leading dots.
 */
final class Names {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private Names() {
    }

    static String requireVmName(String name) {
        return require(name, "VM name");
    }

    static String requireSnapshotName(String name) {
        return require(name, "snapshot name");
    }

    private static String require(String name, String what) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw InventoryException.badInput("Invalid " + what + " '" + name
                    + "': use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return name;
    }
}
