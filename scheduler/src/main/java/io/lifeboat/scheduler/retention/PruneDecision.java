package io.lifeboat.scheduler.retention;

import java.time.Instant;

/**
 * What retention decided for one backup. {@code period} is the period the keeping rule counted it
 * for (e.g. {@code 2026-11-27} for keep-daily) and {@code rank} its position among that rule's
 * periods, newest = 1; both are empty / 0 for marks that are not a rule's.
 */
public record PruneDecision<T>(T item, Instant time, PruneMark mark, String period, int rank) {

    public boolean keep() {
        return mark.keeps();
    }

    /** For logs and the API: {@code keep-daily (2026-11-27)}, {@code protected}, {@code remove}. */
    public String describe() {
        return mark.byRule() ? mark.label() + " (" + period + ")" : mark.label();
    }
}
