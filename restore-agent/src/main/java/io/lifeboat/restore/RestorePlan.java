package io.lifeboat.restore;

import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checked restore, before anything is written: every refusal has happened by the time a plan
 * exists (the restore point is complete, no target is in the way unless overwrite was asked).
 *
 * @param name       the VM's name
 * @param uuid       the UUID it is defined with; null when no VM is defined
 * @param diskFiles  the file each restored disk is written to, by disk name, in manifest order
 * @param domainXml  the definition to give libvirt; null when only disk images are written
 * @param replacesVm an existing VM of this name is redefined (OVER_ORIGINAL, or overwrite)
 * @param macs       the MAC addresses of the defined VM
 * @param pool       the storage pool the files go into, to refresh; null if none
 * @param notes      what the plan changed beyond the request (disks removed, media ejected)
 */
public record RestorePlan(
        RestoreRequest request,
        Manifest manifest,
        String name,
        String uuid,
        Map<String, Path> diskFiles,
        String domainXml,
        boolean replacesVm,
        List<String> macs,
        String pool,
        List<String> notes) {

    public RestorePlan {
        diskFiles = Collections.unmodifiableMap(new LinkedHashMap<>(diskFiles));
        macs = List.copyOf(macs);
        notes = List.copyOf(notes);
    }

    public boolean definesVm() {
        return domainXml != null;
    }

    /** The disks to write, each with its target file. */
    Map<DiskMap, Path> targets() {
        Map<DiskMap, Path> targets = new LinkedHashMap<>();
        diskFiles.forEach((disk, file) -> targets.put(manifest.disk(disk), file));
        return targets;
    }
}
