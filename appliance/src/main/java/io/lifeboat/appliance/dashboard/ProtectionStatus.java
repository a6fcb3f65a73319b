package io.lifeboat.appliance.dashboard;

/**
 * How well a VM meets its recovery point objective (RPO: the longest a policy lets pass between
 * two backups). The age is that of its newest restore point.
 */
public enum ProtectionStatus {
    /** The newest restore point is at most one RPO old, and the last backup attempt did not fail. */
    OK,
    /**
     * The newest restore point is older than one RPO but at most two; or the last attempt failed
     * while a restore point within two RPOs exists.
     */
    WARNING,
    /** The newest restore point is older than two RPOs, or a policy protects the VM and it has none. */
    CRITICAL,
    /** No policy selects the VM. */
    NONE;

    /**
     * @param protectedByPolicy whether some policy selects the VM
     * @param rpoSeconds        the RPO, or null when the schedule fires no more
     * @param ageSeconds        the newest restore point's age, or null if there is none
     * @param lastAttemptFailed whether the VM's most recent backup job ended FAILED
     */
    static ProtectionStatus of(boolean protectedByPolicy, Long rpoSeconds, Long ageSeconds, boolean lastAttemptFailed) {
        if (!protectedByPolicy) {
            return NONE;
        }
        if (ageSeconds == null) {
            return CRITICAL;
        }
        if (rpoSeconds == null) {
            return lastAttemptFailed ? WARNING : OK;
        }
        if (ageSeconds > 2 * rpoSeconds) {
            return CRITICAL;
        }
        return ageSeconds > rpoSeconds || lastAttemptFailed ? WARNING : OK;
    }
}
