package io.lifeboat.testkit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

/**
 * Runs a command line in this JVM with what it prints captured: {@code System.out} and
 * {@code System.err} are swapped for the run and put back after, whatever happens. The streams
 * are process-wide, so runs are serialised on this class.
 */
public final class ConsoleCapture {

    /** A command line's exit code and what it printed to standard output and standard error. */
    public record Run(int exit, String out, String err) {
    }

    private ConsoleCapture() {
    }

    /** Runs {@code main} (a CLI's {@code run(args)}, returning its exit code) with its output captured. */
    public static synchronized Run run(IntSupplier main) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int exit;
        try (PrintStream capturedOut = new PrintStream(o, true, StandardCharsets.UTF_8);
             PrintStream capturedErr = new PrintStream(e, true, StandardCharsets.UTF_8)) {
            System.setOut(capturedOut);
            System.setErr(capturedErr);
            exit = main.getAsInt();
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }
}
