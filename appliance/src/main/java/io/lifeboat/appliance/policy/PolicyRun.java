package io.lifeboat.appliance.policy;

import java.time.Instant;
import java.util.List;

import io.lifeboat.scheduler.policy.ScheduleKind;

/**
 * One firing of a policy schedule, as table {@code policy_runs} keeps it.
 *
 * @param scheduled when it was due (for a misfire: the fire time that was missed)
 * @param fired     when it ran, or when the misfire was noticed
 * @param node      the appliance that ran it (see {@link io.lifeboat.appliance.config.ApplianceNode})
 * @param detail    what happened, for a person: warnings, errors, what retention removed
 */
public record PolicyRun(String id, String policy, ScheduleKind kind, Instant scheduled, Instant fired, Instant ended,
                        String node, Cause cause, Outcome outcome, List<String> vms, List<String> jobIds,
                        String detail) {

    /** Why it fired. */
    public enum Cause {
        SCHEDULED,
        /** POST /api/policies/{name}/run. */
        RUN_NOW,
        /** A fire time passed while the appliance was down or busy; the misfire rule decided. */
        MISFIRE
    }

    public enum Outcome {
        RUNNING,
        SUCCEEDED,
        /** Some VMs were backed up, others failed after their retries. */
        PARTIAL,
        FAILED,
        /** The selection matched no VM: a warning, not an error. */
        NO_VMS,
        /** Fired outside the policy's window; nothing started. */
        SKIPPED_OUTSIDE_WINDOW,
        /** Missed while down or busy; the rule is SKIP: nothing ran, the next fire time will. */
        SKIPPED_MISFIRE,
        /** Missed; the rule is RUN_ONCE_IF_IN_WINDOW and the catch-up run has not fired yet. */
        MISFIRE_PENDING,
        /** The VM is still being backed up by an earlier run: this firing left it alone. */
        BUSY;

        public boolean isFinal() {
            return this != RUNNING && this != MISFIRE_PENDING;
        }
    }
}
