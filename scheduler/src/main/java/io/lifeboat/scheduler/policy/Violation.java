package io.lifeboat.scheduler.policy;

import java.util.Objects;

/** One problem with one field of a policy, for an API to report next to that field. */
public record Violation(String field, String message) {
    public Violation {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
    }

    /**
     * The same problem, seen from an enclosing object: {@code count} becomes
     * {@code retries.count}, and a problem of the whole object ({@code ""}) becomes the parent's.
     */
    Violation within(String parent) {
        return new Violation(field.isEmpty() ? parent : parent + "." + field, message);
    }

    @Override
    public String toString() {
        return field.isEmpty() ? message : field + ": " + message;
    }
}
