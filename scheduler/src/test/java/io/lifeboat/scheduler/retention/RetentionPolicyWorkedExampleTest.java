package io.lifeboat.scheduler.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The worked example of docs/policies.md, so the page cannot drift from the code. */
class RetentionPolicyWorkedExampleTest {

    private static final List<Instant> HISTORY = Stream.of("2026-11-27T18:00:00Z", "2026-11-27T06:00:00Z",
            "2026-11-26T18:00:00Z", "2026-11-26T06:00:00Z", "2026-11-25T18:00:00Z", "2026-11-24T18:00:00Z",
            "2026-11-22T18:00:00Z", "2026-11-20T18:00:00Z", "2026-11-15T18:00:00Z", "2026-11-01T18:00:00Z",
            "2026-10-31T18:00:00Z", "2026-10-25T18:00:00Z", "2026-09-30T18:00:00Z").map(Instant::parse).toList();

    @Test
    void theTable() {
        PrunePlan<Instant> plan = new RetentionPolicy(2, 0, 3, 2, 2, 0).plan(HISTORY, ZoneOffset.UTC);

        assertThat(plan.decisions()).extracting(d -> d.mark() == PruneMark.KEEP_LAST
                ? "keep-last (" + d.rank() + ")" : d.describe()).containsExactly(
                "keep-last (1)", "keep-last (2)",
                "keep-daily (2026-11-26)", "remove", "keep-daily (2026-11-25)", "keep-daily (2026-11-24)",
                "keep-weekly (2026-W47)", "remove", "keep-weekly (2026-W46)",
                "remove", "keep-monthly (2026-10)", "remove", "keep-monthly (2026-09)");
    }

    @Test
    void withOneMoreWeeklyOctobersMonthlyMoves() {
        PrunePlan<Instant> plan = new RetentionPolicy(2, 0, 3, 3, 2, 0).plan(HISTORY, ZoneOffset.UTC);

        assertThat(plan.decisions().subList(9, 13)).extracting(PruneDecision::describe).containsExactly(
                "keep-weekly (2026-W44)", "remove", "keep-monthly (2026-10)", "keep-monthly (2026-09)");
    }
}
