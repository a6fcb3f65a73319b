package io.lifeboat.scheduler.policy;

import java.time.LocalTime;
import java.util.Objects;
import java.util.Optional;

/**
 * The local times of day between which a policy's backups may start: from {@code start}
 * (inclusive) to {@code end} (exclusive), in the policy's zone. A window lies within one day:
 * an end before the start is refused rather than read as "overnight", so that a typo never
 * silently turns a two-hour window into a 22-hour one. An overnight window is two policies, or
 * a window such as 00:00-06:00 with a schedule that fires after midnight.
 */
public record BackupWindow(LocalTime start, LocalTime end) {

    public BackupWindow {
        Optional<String> problem = problemWith(start, end);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
    }

    public static Optional<String> problemWith(LocalTime start, LocalTime end) {
        if (start == null || end == null) {
            return Optional.of("a window needs both a start and an end");
        }
        if (end.isBefore(start)) {
            return Optional.of("window end " + end + " is before its start " + start
                    + "; a window must end on the day it starts");
        }
        if (end.equals(start)) {
            return Optional.of("window start and end are both " + start + "; the window is empty");
        }
        return Optional.empty();
    }

    public boolean contains(LocalTime time) {
        Objects.requireNonNull(time, "time");
        return !time.isBefore(start) && time.isBefore(end);
    }
}
