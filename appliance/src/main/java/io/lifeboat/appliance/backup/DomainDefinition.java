package io.lifeboat.appliance.backup;

import io.lifeboat.kvm.domain.Disk;
import io.lifeboat.kvm.domain.DomainXml;
import io.lifeboat.kvm.domain.XmlInputException;


import java.util.ArrayList;
import java.util.List;

/**
 * What the engine needs from a libvirt domain XML: the disks to back up (device='disk', not
 * read-only, with a source; CD-ROMs and floppies are skipped) and whether a guest agent channel
 * is defined.
 */
record DomainDefinition(String xml, List<Disk> disks, boolean hasAgentChannel) {
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
        List<Disk> disks = new ArrayList<>();
        for (Disk d : parsed.disks()) {
            if ("disk".equals(d.device()) && !d.readOnly() && d.hasMedium()) {
                disks.add(d);
            }
        }
        return new DomainDefinition(xml, disks, parsed.hasChannel(AGENT_CHANNEL));
    }

    boolean allTrackChanges() {
        return disks.stream().allMatch(Disk::tracksChanges);
    }
}
