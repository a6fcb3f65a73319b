package io.lifeboat.appliance.backup;

import io.lifeboat.restore.domain.DomainXml;
import io.lifeboat.restore.domain.XmlInputException;


import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the engine needs from a libvirt domain XML: the disks to back up (device='disk', not
 * read-only, with a source; CD-ROMs and floppies are skipped) and whether a guest agent channel
 * is defined.
 */
record DomainDefinition(String xml, List<VmDisk> disks, boolean hasAgentChannel) {
    static final String AGENT_CHANNEL = "org.qemu.guest_agent.0";

    DomainDefinition {
        disks = List.copyOf(disks);
    }

    static DomainDefinition parse(String xml) throws BackupException {
        DomainXml parsed;
        try {
            parsed = DomainXml.parse(xml);
        } catch (XmlInputException e) {
            throw new BackupException(BackupException.Kind.FAILED, "libvirt returned domain XML that does not parse: " + e.getMessage(), e);
        }
        List<VmDisk> disks = new ArrayList<>();
        for (DomainXml.Disk d : parsed.disks()) {
            boolean hasMedium = d.path() != null || "network".equals(d.sourceType());
            if ("disk".equals(d.device()) && !d.readOnly() && hasMedium) {
                disks.add(new VmDisk(d.target(), d.sourceType(), d.format(), d.path() == null ? null : Path.of(d.path())));
            }
        }
        return new DomainDefinition(xml, disks, parsed.hasChannel(AGENT_CHANNEL));
    }

    boolean allTrackChanges() {
        return disks.stream().allMatch(VmDisk::tracksChanges);
    }
}
