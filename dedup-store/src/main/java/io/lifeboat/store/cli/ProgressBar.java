package io.lifeboat.store.cli;

import io.lifeboat.store.Progress;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Draws a {@link Progress} as one self-overwriting line on a terminal, a few times a second.
 * {@link #line} is the line itself, for callers that get their snapshots elsewhere (the
 * appliance's CLI polls them from the REST API).
 */
public final class ProgressBar implements AutoCloseable {
    private static final int WIDTH = 30;
    private final Progress progress;
    private final PrintStream out;
    private final Thread thread;
    private volatile boolean running = true;

    public ProgressBar(Progress progress, PrintStream out) {
        this.progress = progress;
        this.out = out;
        this.thread = new Thread(this::loop, "progress-bar");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            draw();
            try {
                Thread.sleep(250); // redraw period of a terminal bar, not a wait for a condition
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void draw() {
        out.print(line(progress.snapshot()));
        out.flush();
    }

    /** {@code \r}, then phase, bar, percentage and bytes done/total, padded to overwrite a longer line. */
    public static String line(Progress.Snapshot s) {
        int filled = (int) Math.round(s.fraction() * WIDTH);
        return String.format(Locale.ROOT, "\r%-24.24s [%s%s] %3.0f%% %s/%s   ", s.phase(), "#".repeat(filled),
                ".".repeat(WIDTH - filled), s.fraction() * 100, Sizes.human(s.done()), Sizes.human(s.total()));
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        draw();
        out.println();
    }
}
