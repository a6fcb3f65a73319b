package io.lifeboat.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * What the three Lifeboat command lines do alike: every verb's {@code --help} ends with the
 * {@link ExitCode} table; a usage error is {@code <cli>: <message>} and {@code Try '<verb> --help'.}
 * with {@link ExitCode#USAGE}; a failure the user can cause is one line {@code <cli>: <message>}
 * and its exit code, Ctrl-C is {@link ExitCode#INTERRUPTED}, and only a programming error prints
 * a stack trace.
 */
public final class Conventions {
    /** A failure a user can cause: its exit code, and a message (null when the verb has said it already). */
    public record Failure(int exitCode, String message) {
    }

    /** Says which exceptions are failures a user can cause; null for any other. */
    @FunctionalInterface
    public interface Failures {
        Failure of(Exception e);
    }

    private Conventions() {
    }

    /** Applies the conventions to {@code cl}, whose subcommands must all be added by now. */
    public static CommandLine apply(CommandLine cl, Failures failures) {
        String name = cl.getCommandName();
        listExitCodes(cl);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            Failure f = failures.of(ex);
            if (f != null) {
                if (f.message() != null) {
                    err.println(name + ": " + f.message());
                }
                return f.exitCode();
            }
            if (ex instanceof InterruptedException) {
                err.println(name + ": interrupted");
                return ExitCode.INTERRUPTED;
            }
            err.println(name + ": internal error: " + ex);
            ex.printStackTrace(err);
            return ExitCode.FAILED;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println(name + ": " + ex.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help'.");
            return ExitCode.USAGE;
        });
        return cl;
    }

    private static void listExitCodes(CommandLine cl) {
        cl.getCommandSpec().usageMessage()
                .exitCodeListHeading("%nExit codes:%n")
                .exitCodeList(ExitCode.DESCRIPTIONS);
        cl.getSubcommands().values().forEach(Conventions::listExitCodes);
    }
}
