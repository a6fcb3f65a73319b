package io.lifeboat.scheduler.policy;

import java.util.List;
import java.util.stream.Collectors;

/** A policy, or a part of one, is invalid; carries every problem found, not just the first. */
public final class InvalidPolicyException extends IllegalArgumentException {
    private final List<Violation> violations;

    public InvalidPolicyException(List<Violation> violations) {
        super(violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("an invalid policy needs at least one violation");
        }
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }

    static void throwIfAny(List<Violation> violations) {
        if (!violations.isEmpty()) {
            throw new InvalidPolicyException(violations);
        }
    }
}
