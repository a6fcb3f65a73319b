package io.lifeboat.appliance.notify;

import java.time.Instant;

/**
 * Something a policy did failed, told so that a person can act on it. This record is also the
 * webhook's JSON body:
 * <pre>{@code
 * {"policy": "nightly", "vm": "web01", "what": "backup", "error": "...", "action": "...",
 *  "jobId": "…", "node": "host-1a2b3c4d", "at": "2026-11-27T01:30:00Z", "summary": "..."}
 * }</pre>
 *
 * @param vm     the VM concerned, or null for store-wide work (verify, GC)
 * @param what   what failed: {@code backup}, {@code verify}, {@code gc}, {@code retention}
 * @param action what to do about it
 * @param jobId  the catalog job with the details, or null
 */
public record Failure(String policy, String vm, String what, String error, String action, String jobId,
                      String node, Instant at) {

    /** One line: {@code Policy nightly: backup of VM web01 failed}. */
    public String summary() {
        return "Policy " + policy + ": " + what + (vm == null ? "" : " of VM " + vm) + " failed";
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
        b.append("Policy runs: GET /api/policies/").append(policy).append("\n");
        return b.toString();
    }
}
