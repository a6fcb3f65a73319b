package io.lifeboat.cli.lifeboat;

import io.lifeboat.cli.ProgressLine;

import java.io.PrintStream;

/**
 * A job's progress (phase, bytes done of total, as the API reports it) as one self-overwriting
 * line on a terminal, redrawn on every poll.
 */
final class JobProgressBar {
    private final PrintStream out;
    private boolean drawn;

    JobProgressBar(PrintStream out) {
        this.out = out;
    }

    void draw(String phase, long done, long total) {
        out.print(ProgressLine.of(phase, done, total));
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
