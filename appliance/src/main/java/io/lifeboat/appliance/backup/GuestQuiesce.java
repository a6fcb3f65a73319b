package io.lifeboat.appliance.backup;

import org.libvirt.Domain;
import org.libvirt.LibvirtException;

import java.time.Duration;

/**
 * Freezing the guest's file systems through the QEMU guest agent for the instant the backup
 * starts, so the restore point is application-consistent. libvirt's backup API has no quiesce
 * flag, so the engine sends {@code guest-fsfreeze-freeze} itself, starts the backup, and thaws.
 * Any failure leaves the backup crash-consistent, with the reason recorded.
 */
final class GuestQuiesce {
    static final String FROZEN = "frozen";

    private final Domain domain;
    private final boolean frozen;
    private final String outcome;

    private GuestQuiesce(Domain domain, boolean frozen, String outcome) {
        this.domain = domain;
        this.frozen = frozen;
        this.outcome = outcome;
    }

    static GuestQuiesce freeze(Domain domain, DomainDefinition def, Duration timeout) {
        if (!def.hasAgentChannel()) {
            return new GuestQuiesce(domain, false, "no guest agent channel (" + DomainDefinition.AGENT_CHANNEL
                    + ") in the domain XML");
        }
        try {
            domain.qemuAgentCommand("{\"execute\":\"guest-fsfreeze-freeze\"}", (int) Math.max(1, timeout.toSeconds()), 0);
            return new GuestQuiesce(domain, true, FROZEN);
        } catch (LibvirtException e) {
            return new GuestQuiesce(domain, false, "guest agent could not freeze the file systems: "
                    + e.getError().getMessage());
        }
    }

    boolean frozen() {
        return frozen;
    }

    /** "frozen", or why not; recorded in the manifest. */
    String outcome() {
        return outcome;
    }

    /** Thaws if frozen; returns a warning on failure, else null. */
    String thaw(Duration timeout) {
        if (!frozen) {
            return null;
        }
        try {
            domain.qemuAgentCommand("{\"execute\":\"guest-fsfreeze-thaw\"}", (int) Math.max(1, timeout.toSeconds()), 0);
            return null;
        } catch (LibvirtException e) {
            return "could not thaw the guest's file systems: " + e.getError().getMessage();
        }
    }
}
