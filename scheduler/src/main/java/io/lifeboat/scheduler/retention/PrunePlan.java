package io.lifeboat.scheduler.retention;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The decision for every backup of one group, newest first. */
public record PrunePlan<T>(List<PruneDecision<T>> decisions) {
    public PrunePlan {
        decisions = List.copyOf(decisions);
    }

    public List<T> kept() {
        return decisions.stream().filter(PruneDecision::keep).map(PruneDecision::item).toList();
    }

    /** The backups to delete, oldest first (the order PBS deletes in). */
    public List<T> removed() {
        List<T> oldestFirst = new ArrayList<>();
        for (PruneDecision<T> d : decisions) {
            if (!d.keep()) {
                oldestFirst.add(0, d.item());
            }
        }
        return List.copyOf(oldestFirst);
    }

    public Optional<PruneDecision<T>> decisionFor(T item) {
        return decisions.stream().filter(d -> d.item().equals(item)).findFirst();
    }
}
