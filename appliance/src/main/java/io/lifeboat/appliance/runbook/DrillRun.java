package io.lifeboat.appliance.runbook;

import java.time.Instant;

/**
 * One firing of a runbook's drill (table {@code runbook_drills}): when it was due and ran, on which
 * appliance, and what came of it.
 *
 * @param run    the test run it started, or null when it started none
 * @param detail why it started nothing, or why its run halted
 */
public record DrillRun(String id, String runbook, Instant scheduled, Instant fired, Instant ended, String node,
                       Cause cause, Outcome outcome, String run, String detail) {

    public enum Cause { SCHEDULED, RUN_NOW }

    public enum Outcome {
        /** Its test run goes on. */
        STARTED,
        /** Every step of its run passed (the run is cleaned up at its time to live). */
        DONE,
        /** A step of its run failed: notified. */
        HALTED,
        /** Its run waits for an approval. */
        WAITING_APPROVAL,
        /** A run of the runbook was still going on: nothing started. */
        SKIPPED,
        /** The run could not start (the runbook is gone, the store is not open, ...): notified. */
        NOT_STARTED;

        public boolean isFinal() {
            return this != STARTED;
        }
    }
}
