package io.lifeboat.appliance.policy;

import java.util.List;
import java.util.stream.Collectors;

import io.lifeboat.scheduler.policy.Violation;

/** A policy request with problems: the API answers 400 listing each with its field (see ProblemHandler). */
public class InvalidPolicyRequest extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<Violation> violations;

    public InvalidPolicyRequest(List<Violation> violations) {
        super("the policy is invalid: " + violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }
}
