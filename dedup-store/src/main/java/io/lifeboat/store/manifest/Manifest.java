package io.lifeboat.store.manifest;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One restore point: what was backed up, when, how consistent it is, and a full map of each
 * disk. Every manifest stands alone (an incremental's map already includes the unchanged
 * chunks), so deleting any restore point never breaks another one.
 */
public record Manifest(
        RestorePointId id,
        Instant created,
        Kind kind,
        Consistency consistency,
        String parent,
        String domainXml,
        Map<String, String> attributes,
        List<DiskMap> disks) {

    private static final Pattern DISK_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public enum Kind { FULL, INCREMENTAL }

    /** How the disks' contents relate to each other in time. */
    public enum Consistency {
        /** Taken from a stopped VM or an image file nobody was writing. */
        OFFLINE,
        /** As if the power was cut: what a running VM's disks held at one instant. */
        CRASH,
        /** The guest's file systems were frozen through its agent. */
        APPLICATION
    }

    public Manifest {
        Objects.requireNonNull(id);
        Objects.requireNonNull(created);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(consistency);
        parent = parent == null ? "" : parent;
        domainXml = domainXml == null ? "" : domainXml;
        attributes = Map.copyOf(attributes);
        disks = List.copyOf(disks);
        if (disks.stream().map(DiskMap::name).distinct().count() != disks.size()) {
            throw new IllegalArgumentException("disk names must be unique");
        }
    }

    public String vm() {
        return id.vm();
    }

    public DiskMap disk(String name) {
        return disks.stream().filter(d -> d.name().equals(name)).findFirst().orElse(null);
    }

    public long logicalBytes() {
        return disks.stream().mapToLong(DiskMap::size).sum();
    }

    public static void validateDiskName(String name) {
        if (name == null || !DISK_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid disk name '" + name
                    + "': use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
    }
}
