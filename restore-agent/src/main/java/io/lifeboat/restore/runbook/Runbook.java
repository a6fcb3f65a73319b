package io.lifeboat.restore.runbook;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * A DR runbook: which VMs come back, in which order, where, and how we know they are healthy.
 * Parsed and checked from YAML by {@link RunbookParser} (the schema: docs/runbooks.md); once
 * made, every field is valid and {@link #groups} is in run order (each group after the groups it
 * names in {@code after}). Groups run one after another; the VMs of a group start together.
 *
 * @param primary the site the VMs run at before a failover, which a failover fences; null when the
 *                runbook does not say (then a failover cannot check that they no longer run there)
 * @param hooks commands the runner runs on its own host before the first group ({@code pre}) and
 *              after the last ({@code post})
 * @param drill when the appliance runs a test failover of it by itself; null for never
 */
public record Runbook(String name, String description, Primary primary, List<Group> groups, List<Hook> pre,
                      List<Hook> post, Drill drill) {

    public Runbook {
        groups = List.copyOf(groups);
        pre = List.copyOf(pre);
        post = List.copyOf(post);
    }

    /** Every VM of the runbook, in run order. */
    public List<Vm> vms() {
        return groups.stream().flatMap(g -> g.vms().stream()).toList();
    }

    /**
     * The primary site. Before a failover starts a VM it checks that the VM does not run there, so
     * that both sites never run it at once: it shuts down (ACPI, within {@code timeout}) those that
     * still run when {@code shutdown} is set, and otherwise halts the run.
     */
    public record Primary(String target, boolean shutdown, Duration timeout) { }

    /**
     * A scheduled drill: a test failover started by the appliance at each fire time of
     * {@code schedule} (a Quartz cron expression, as backup policies write them) in {@code zone},
     * cleaned up {@code ttl} after it started.
     */
    public record Drill(String schedule, ZoneId zone, Duration ttl) { }

    /**
     * VMs brought back together, then a wait and a manual approval (each optional) before the
     * next group starts.
     *
     * @param after    the groups that must be done first: those it names, or, in a runbook where no
     *                 group names any, the group listed before it
     * @param pause    how long to wait after its VMs passed their checks (YAML: {@code wait})
     * @param approval a question an operator must answer yes to; null for none
     */
    public record Group(String name, List<String> after, List<Vm> vms, Duration pause, String approval, int line) {
        public Group {
            after = List.copyOf(after);
            vms = List.copyOf(vms);
        }
    }

    /**
     * One VM and how it comes back.
     *
     * @param as        the recovered VM's name (YAML: {@code name}; default the original's)
     * @param target    libvirt URI to bring it back on
     * @param directory storage directory for its disks (or {@code pool})
     * @param networks  the VM's network name → the target host's network
     * @param vcpus     override, or 0 to keep the VM's
     * @param memoryBytes override, or 0 to keep the VM's
     * @param newIdentity new UUID and MAC addresses (true) or the original's
     * @param line      where it is defined in the YAML, for messages about it
     */
    public record Vm(String vm, String as, PointChoice point, Mode mode, String target, String directory, String pool,
                     Map<String, String> networks, int vcpus, long memoryBytes, boolean newIdentity, List<Check> checks,
                     int line) {
        public Vm {
            networks = Map.copyOf(networks);
            checks = List.copyOf(checks);
        }
    }

    /** How a VM comes back: run from the backup at once and copied in the background, or restored whole first. */
    public enum Mode { INSTANT, RESTORE }

    /** Which restore point of the VM to use. */
    public sealed interface PointChoice {
        /** The newest restore point that is in the bucket (the default). */
        record NewestReplicated() implements PointChoice { }

        /** The newest restore point, replicated or not. */
        record Newest() implements PointChoice { }

        /** The newest restore point taken before {@code time}. */
        record Before(Instant time) implements PointChoice { }

        /** One restore point, by its time. */
        record Named(Instant time) implements PointChoice { }
    }

    /** How the runner knows a VM is healthy: each check must pass within its timeout. */
    public sealed interface Check {
        Duration timeout();

        /** libvirt reports the domain running. */
        record Running(Duration timeout) implements Check { }

        /** The guest agent answers a ping. */
        record AgentPing(Duration timeout) implements Check { }

        /** A TCP connection to {@code port} of the guest succeeds. */
        record Tcp(int port, Duration timeout) implements Check { }

        /** An HTTP GET of {@code path} on {@code port} of the guest answers {@code status}. */
        record Http(int port, String path, int status, Duration timeout) implements Check { }

        /** A command run in the guest through its agent exits 0. */
        record Command(List<String> argv, Duration timeout) implements Check {
            public Command {
                argv = List.copyOf(argv);
            }
        }
    }

    /** A command run on the runner's host, failing the run unless it exits 0 within its timeout. */
    public record Hook(List<String> argv, Duration timeout) {
        public Hook {
            argv = List.copyOf(argv);
        }
    }
}
