package io.lifeboat.appliance.cli;

import io.lifeboat.store.Progress;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A job's progress (the store's {@link Progress.Snapshot}: phase, bytes done of total, as the
 * API reports it) as one self-overwriting line on a terminal, redrawn on every poll.
 */
final class JobProgressBar {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private boolean drawn;

    JobProgressBar(PrintStream out) {
        this.out = out;
    }

    void draw(Progress.Snapshot s) {
        int filled = (int) Math.round(s.fraction() * WIDTH);
        out.print(String.format(Locale.ROOT, "\r%-24.24s [%s%s] %3.0f%% %s/%s   ", s.phase(),
                "#".repeat(filled), ".".repeat(WIDTH - filled), s.fraction() * 100,
                Table.bytes(s.done()), Table.bytes(s.total())));
        out.flush();
        drawn = true;
    }

    /** Ends the line, so what follows starts on a fresh one. */
    void finish() {
        if (drawn) {
            out.println();
            drawn = false;
        }
    }
}
