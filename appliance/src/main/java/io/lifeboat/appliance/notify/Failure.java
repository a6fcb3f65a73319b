package io.lifeboat.appliance.notify;

import java.time.Instant;

/**
 * Something a policy or a runbook's drill did failed, told so that a person can act on it. This
 * record is also the webhook's JSON body:
 * <pre>{@code
 * {"policy": "nightly", "vm": "web01", "what": "backup", "error": "...", "action": "...",
 *  "jobId": "…", "node": "host-1a2b3c4d", "at": "2026-11-27T01:30:00Z", "summary": "...", "runbook": null}
 * }</pre>
 *
 * @param policy  the policy whose work failed, or null for a drill
 * @param vm      the VM concerned, or null for store-wide work (verify, GC) and drills
 * @param what    what failed: {@code backup}, {@code verify}, {@code gc}, {@code retention}, {@code drill}
 * @param action  what to do about it
 * @param jobId   the catalog job with the details, or null
 * @param runbook the runbook whose drill failed, or null for a policy
 */
public record Failure(String policy, String vm, String what, String error, String action, String jobId,
                      String node, Instant at, String runbook) {

    /** A policy's failure. */
    public Failure(String policy, String vm, String what, String error, String action, String jobId, String node,
                   Instant at) {
        this(policy, vm, what, error, action, jobId, node, at, null);
    }

    /** A runbook's drill that halted or did not start. */
    public static Failure drill(String runbook, String error, String action, String node, Instant at) {
        return new Failure(null, null, "drill", error, action, null, node, at, runbook);
    }

    /** One line: {@code Policy nightly: backup of VM web01 failed}, {@code Runbook shop: drill failed}. */
    public String summary() {
        return (runbook != null ? "Runbook " + runbook : "Policy " + policy) + ": " + what
                + (vm == null ? "" : " of VM " + vm) + " failed";
    }

    /** The e-mail's body. */
    public String text() {
        StringBuilder b = new StringBuilder();
        b.append(summary()).append(" at ").append(at).append(" on appliance ").append(node).append(".\n\n");
        b.append("Error: ").append(error).append("\n\n");
        b.append("What to do: ").append(action).append("\n");
        if (jobId != null) {
            b.append("\nJob details: GET /api/jobs/").append(jobId).append('\n');
        }
        b.append(runbook != null ? "Runbook and its drills: GET /api/runbooks/" + runbook
                : "Policy runs: GET /api/policies/" + policy).append("\n");
        return b.toString();
    }
}
