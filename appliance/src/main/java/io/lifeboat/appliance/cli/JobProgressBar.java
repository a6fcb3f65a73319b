package io.lifeboat.appliance.cli;

import io.lifeboat.store.Progress;
import io.lifeboat.store.cli.ProgressBar;

import java.io.PrintStream;

/**
 * A job's progress (the store's {@link Progress.Snapshot}: phase, bytes done of total, as the
 * API reports it) as one self-overwriting line on a terminal, redrawn on every poll.
 */
final class JobProgressBar {
    private final PrintStream out;
    private boolean drawn;

    JobProgressBar(PrintStream out) {
        this.out = out;
    }

    void draw(Progress.Snapshot s) {
        out.print(ProgressBar.line(s));
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
