package io.lifeboat.scheduler.policy;

import java.util.ArrayList;
import java.util.List;

/** At most {@code perHost} of a policy's backups run at once on one KVM host, at most {@code total} overall. */
public record ConcurrencyLimits(int perHost, int total) {

    public ConcurrencyLimits {
        InvalidPolicyException.throwIfAny(check(perHost, total));
    }

    /** Problems, with field names {@code perHost} and {@code total}. */
    public static List<Violation> check(int perHost, int total) {
        List<Violation> problems = new ArrayList<>();
        if (perHost < 1) {
            problems.add(new Violation("perHost", "must be 1 or more, was " + perHost));
        }
        if (total < 1) {
            problems.add(new Violation("total", "must be 1 or more, was " + total));
        }
        if (perHost >= 1 && total >= 1 && perHost > total) {
            problems.add(new Violation("perHost", "must not exceed the overall limit " + total + ", was " + perHost));
        }
        return problems;
    }
}
