package io.lifeboat.scheduler.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** How often a failed backup is tried again ({@code count}, 0 = never) and how long to wait before each try. */
public record RetrySettings(int count, Duration backoff) {

    public RetrySettings {
        InvalidPolicyException.throwIfAny(check(count, backoff));
    }

    public static RetrySettings none() {
        return new RetrySettings(0, Duration.ZERO);
    }

    /** Problems, with field names {@code count} and {@code backoff}. */
    public static List<Violation> check(int count, Duration backoff) {
        List<Violation> problems = new ArrayList<>();
        if (count < 0) {
            problems.add(new Violation("count", "must be 0 or more, was " + count));
        }
        if (backoff == null) {
            problems.add(new Violation("backoff", "is required"));
        } else if (backoff.isNegative()) {
            problems.add(new Violation("backoff", "must not be negative, was " + backoff));
        }
        return problems;
    }
}
