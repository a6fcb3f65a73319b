package io.lifeboat.restore.runbook;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One run of a runbook, as it is recorded after every step ({@code run.json} in the run's
 * directory, {@link RunStore}): what it is, where it stands, each step with its start, end and
 * outcome, and each VM with the restore point it came back from. A run that halted or was
 * interrupted is picked up again from this record; the report ({@link RunReport}) is made from it.
 * Only the process holding the run's lock changes it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class RunRecord {

    /** What the run does. */
    public enum Kind {
        /** A drill: suffixed copies on an isolated network, production untouched, removed at cleanup. */
        TEST,
        /** The real thing: the VMs come back under their runbook names, the primaries fenced first. */
        FAILOVER,
        /**
         * Home again: the VMs a failover recovered are backed up, written into the originals at the
         * primary, and cut over with a last incremental; the originals start.
         */
        FAILBACK
    }

    public enum State {
        /** Steps are being run (or were, by a process that died: resume it). */
        RUNNING,
        /** Stopped before a group's approval; resume with the approval. */
        WAITING_APPROVAL,
        /** A step failed; resume from it, or cancel (undo). */
        HALTED,
        /** Every step passed. A test run stays until cleaned up. */
        DONE,
        /** Undone: what the run started is removed (and primaries it shut down started again). */
        CANCELLED,
        /** A test run removed after it was done (on demand or at its time to live). */
        CLEANED
    }

    public enum Outcome { OK, FAILED }

    /** One step: a hook, a VM's fence, start or checks, a group's wait or approval, the final copy. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Step {
        /** Unique in the run, stable across resumes: {@code start:web01}, {@code checks:web01}, {@code approval:web}. */
        public String id;
        /** hook, network, fence, start, checks, wait, approval, copy */
        public String kind;
        public String group;
        public String vm;
        public String started;
        public String ended;
        public Outcome outcome;
        public String detail;
        /** How many times it was started (more than one: resumed after a failure or a crash). */
        public int attempts;

        public Step() {
        }

        Step(String id, String kind, String group, String vm) {
            this.id = id;
            this.kind = kind;
            this.group = group;
            this.vm = vm;
        }

        @JsonIgnore
        boolean done() {
            return outcome == Outcome.OK;
        }
    }

    /** A VM of the run: where it came back and from what. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class VmRun {
        /** Its name in the restore points. */
        public String vm;
        /** The recovered VM's name (a test run's is suffixed). */
        public String name;
        public String group;
        public String target;
        public String mode;
        public String restorePoint;
        /** When the restore point was taken. */
        public String pointTime;
        /** Age of the restore point when the run started: the data this VM lost. */
        public Long rpoSeconds;
        /** Its instant recovery session, for mode instant. */
        public String session;
        public String uuid;
        /** The disk images it runs on, which cleanup and undo remove. */
        public List<String> files = new ArrayList<>();
        /** When it was started, and when all its checks had passed. */
        public String startedAt;
        public String greenAt;
        /** The run shut its primary down (undo starts it again). */
        public boolean primaryShutDown;
        /** Failback: the recovered VM this one comes home from, and its host. */
        public String from;
        public String fromTarget;
        /** Failback: the restore point of the recovered VM written into the original while it still ran. */
        public String syncPoint;
        /** Failback: the recovered VM was shut down by the run (undo starts it again), and when. */
        public boolean recoveredShutDown;
        public String cutoverAt;
        /** Failback: the original was started by the run (undo stops it). */
        public boolean originalStarted;

        public VmRun() {
        }
    }

    public String id;
    public String runbook;
    public Kind kind;
    public State state;
    /** Where the restore points came from: a bucket or a store. */
    public String source;
    public String started;
    public String ended;
    /** A test run is removed at this time (ISO-8601) unless cleaned up before. */
    public String expires;
    /** A test run's isolated libvirt network, on {@link #networkHost}. */
    public String network;
    public String networkHost;
    /** The primary was not reachable and the run was told it is lost. */
    public boolean primaryLost;
    /** Approvals given, by group. */
    public List<String> approved = new ArrayList<>();
    /** Why it halted, for the user. */
    public String error;
    /** Start of the run to the moment every check of every VM had passed; null until then. */
    public Long rtoSeconds;
    /** Failback: the first recovered VM's shutdown to the moment every original's checks had passed. */
    public Long downtimeSeconds;
    public List<Step> steps = new ArrayList<>();
    public List<VmRun> vms = new ArrayList<>();

    public RunRecord() {
    }

    Optional<Step> step(String stepId) {
        return steps.stream().filter(s -> s.id.equals(stepId)).findFirst();
    }

    Optional<VmRun> vm(String vm) {
        return vms.stream().filter(v -> v.vm.equals(vm)).findFirst();
    }

    @JsonIgnore
    public boolean finished() {
        return state == State.CANCELLED || state == State.CLEANED || (state == State.DONE && kind != Kind.TEST);
    }

    /** A test run whose time to live has passed and that still has something to remove. */
    @JsonIgnore
    public boolean expired(Instant now) {
        return kind == Kind.TEST && expires != null && state != State.CLEANED && state != State.CANCELLED
                && Instant.parse(expires).isBefore(now);
    }

    static long seconds(String from, String to) {
        return Duration.between(Instant.parse(from), Instant.parse(to)).toSeconds();
    }
}
