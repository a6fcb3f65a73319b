package io.lifeboat.appliance.backup;

import java.io.IOException;
import java.time.Duration;

import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * Freezing the guest's file systems through the QEMU guest agent for the instant the backup
 * starts, so the restore point is application-consistent. libvirt's backup API has no quiesce
 * flag, so the engine sends {@code guest-fsfreeze-freeze} itself (the agent runs the guest's
 * fsfreeze hooks first: a database's checkpoint, say), starts the backup, and thaws. Any failure
 * leaves the backup crash-consistent, with the reason recorded.
 *
 * <p>A guest is never left frozen: a freeze that fails or times out may still have frozen the
 * guest (the agent goes on after libvirt stops waiting), so it is followed by a thaw too; and the
 * run directory is marked before the freeze and cleared after the thaw, so that if the appliance
 * dies in between, {@link Recovery} thaws the guest when the appliance starts again.
 */
final class GuestQuiesce {
    static final String FROZEN = "frozen";
    private static final String FREEZE = "{\"execute\":\"guest-fsfreeze-freeze\"}";
    static final String THAW = "{\"execute\":\"guest-fsfreeze-thaw\"}";

    private final Domain domain;
    private final RunDirectory run;
    private final boolean frozen;
    private final String outcome;
    private final long quiesceMillis;
    private final long frozenAt;
    private long frozenMillis = -1;

    private GuestQuiesce(Domain domain, RunDirectory run, boolean frozen, String outcome, long quiesceMillis, long frozenAt) {
        this.domain = domain;
        this.run = run;
        this.frozen = frozen;
        this.outcome = outcome;
        this.quiesceMillis = quiesceMillis;
        this.frozenAt = frozenAt;
    }

    static GuestQuiesce freeze(Domain domain, DomainDefinition def, Duration timeout, RunDirectory run) {
        if (!def.hasAgentChannel()) {
            return new GuestQuiesce(domain, run, false, "no guest agent channel (" + DomainDefinition.AGENT_CHANNEL
                    + ") in the domain XML", 0, 0);
        }
        try {
            run.freezing();
        } catch (IOException e) {
            return new GuestQuiesce(domain, run, false, "not frozen: the run directory could not record the freeze ("
                    + e.getMessage() + "), and an appliance that died while the guest was frozen would not thaw it", 0, 0);
        }
        long t0 = System.nanoTime();
        try {
            domain.qemuAgentCommand(FREEZE, seconds(timeout), 0);
            long at = System.nanoTime();
            return new GuestQuiesce(domain, run, true, FROZEN, (at - t0) / 1_000_000, at);
        } catch (LibvirtException e) {
            String why = "guest agent could not freeze the file systems: " + e.getError().getMessage();
            // the agent may have frozen them after libvirt gave up waiting: thaw whatever it did
            try {
                domain.qemuAgentCommand(THAW, seconds(timeout), 0);
                run.thawed();
            } catch (LibvirtException | IOException again) {
                why += "; the thaw that followed failed too (" + again.getMessage() + "): the guest is thawed when the"
                        + " appliance next starts, or by hand with virsh domfsthaw";
            }
            return new GuestQuiesce(domain, run, false, why, (System.nanoTime() - t0) / 1_000_000, 0);
        }
    }

    boolean frozen() {
        return frozen;
    }

    /** "frozen", or why not; recorded in the manifest. */
    String outcome() {
        return outcome;
    }

    /** How long the freeze command took: the guest's hooks (a database checkpoint), then the freeze itself. */
    long quiesceMillis() {
        return quiesceMillis;
    }

    /** How long the file systems stayed frozen (freeze answered to thaw answered); -1 if they were not. */
    long frozenMillis() {
        return frozenMillis;
    }

    /** Thaws if frozen; returns a warning on failure, else null. */
    String thaw(Duration timeout) {
        if (!frozen) {
            return null;
        }
        try {
            domain.qemuAgentCommand(THAW, seconds(timeout), 0);
            frozenMillis = (System.nanoTime() - frozenAt) / 1_000_000;
        } catch (LibvirtException e) {
            return "could not thaw the guest's file systems: " + e.getError().getMessage()
                    + "; the appliance thaws them when it next starts, or by hand with virsh domfsthaw";
        }
        try {
            run.thawed();
        } catch (IOException e) {
            return "thawed, but the run directory still says frozen: " + e.getMessage();
        }
        return null;
    }

    private static int seconds(Duration timeout) {
        return (int) Math.max(1, timeout.toSeconds());
    }
}
