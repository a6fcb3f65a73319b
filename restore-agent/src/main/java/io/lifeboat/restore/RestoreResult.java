package io.lifeboat.restore;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a restore made.
 *
 * @param name      the VM's name (also the stem of the disk file names)
 * @param uuid      its UUID, or null when no VM was defined (disk images only)
 * @param uri       the libvirt URI it was defined on
 * @param diskFiles the written disk files, by disk name
 * @param defined   a VM was defined (or redefined)
 * @param started   it was started
 * @param macs      its MAC addresses
 * @param notes     what the restore changed beyond the request (disks removed, media ejected)
 */
public record RestoreResult(String name, String uuid, String uri, RestoreMode mode, Map<String, Path> diskFiles,
                            boolean defined, boolean started, List<String> macs, List<String> notes) {
}
