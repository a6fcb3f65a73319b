package io.lifeboat.scheduler.retention;

/**
 * Why a backup is kept, or that it is removed. Named after Proxmox Backup Server's marks
 * ({@code protected}, {@code keep}, {@code keep-partial}, {@code remove}), with {@code keep} split
 * by the rule that keeps the backup.
 */
public enum PruneMark {
    KEEP_LAST(RetentionRule.LAST),
    KEEP_HOURLY(RetentionRule.HOURLY),
    KEEP_DAILY(RetentionRule.DAILY),
    KEEP_WEEKLY(RetentionRule.WEEKLY),
    KEEP_MONTHLY(RetentionRule.MONTHLY),
    KEEP_YEARLY(RetentionRule.YEARLY),
    /** Marked protected by the user: never removed, and not counted by any rule. */
    PROTECTED("protected"),
    /** The newest backup is incomplete and no complete backup is newer: kept, not counted. */
    KEEP_PARTIAL("keep-partial"),
    /** The policy keeps nothing by count (all counts zero), which means: keep everything. */
    KEEP_ALL("keep-all"),
    REMOVE("remove");

    private final String label;
    private final RetentionRule rule;

    PruneMark(RetentionRule rule) {
        this.label = rule.option();
        this.rule = rule;
    }

    PruneMark(String label) {
        this.label = label;
        this.rule = null;
    }

    public String label() {
        return label;
    }

    public boolean keeps() {
        return this != REMOVE;
    }

    /** True for the marks a keep rule sets; only those cover a period for later rules. */
    public boolean byRule() {
        return rule != null;
    }

    static PruneMark of(RetentionRule rule) {
        for (PruneMark mark : values()) {
            if (mark.rule == rule) {
                return mark;
            }
        }
        throw new IllegalArgumentException("no mark for " + rule);
    }
}
