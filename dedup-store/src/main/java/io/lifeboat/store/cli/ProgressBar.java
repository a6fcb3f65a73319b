package io.lifeboat.store.cli;

import io.lifeboat.cli.ProgressLine;
import io.lifeboat.store.Progress;

import java.io.PrintStream;

/** Draws a {@link Progress} as one self-overwriting line on a terminal, a few times a second. */
public final class ProgressBar implements AutoCloseable {
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
        Progress.Snapshot s = progress.snapshot();
        out.print(ProgressLine.of(s.phase(), s.done(), s.total()));
        out.flush();
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
