package io.lifeboat.appliance.catalog;

import java.time.Instant;

/**
 * One line of the audit log: who did what to which thing, and how it ended.
 *
 * @param action what was attempted, a stable verb such as {@code restore-point.delete}
 * @param target what it was done to, such as a restore point id or a VM name
 * @param detail the error of a FAILED action, or anything else worth keeping; may be null
 */
public record AuditEntry(long id, Instant time, String user, String action, String target, Outcome outcome,
                         String detail) {

    public enum Outcome { SUCCEEDED, FAILED, DENIED }
}
