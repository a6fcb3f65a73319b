package io.lifeboat.restore.agent;

import io.lifeboat.store.Progress;
import io.lifeboat.store.cli.ProgressBar;

import java.io.PrintStream;

/** Redraws a restore's {@link Progress} as the store CLI's one-line bar while a person watches. */
final class ProgressLine implements AutoCloseable {
    private final Progress progress;
    private final PrintStream out;
    private final Thread thread;
    private volatile boolean running = true;

    ProgressLine(Progress progress, PrintStream out) {
        this.progress = progress;
        this.out = out;
        this.thread = new Thread(this::loop, "progress-line");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            out.print(ProgressBar.line(progress.snapshot()));
            out.flush();
            try {
                Thread.sleep(250); // redraw period of a terminal line, not a wait for a condition
            } catch (InterruptedException e) {
                return;
            }
        }
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
        out.println(ProgressBar.line(progress.snapshot()));
    }
}
