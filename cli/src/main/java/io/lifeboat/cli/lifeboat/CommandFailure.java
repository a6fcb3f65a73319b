package io.lifeboat.cli.lifeboat;

/**
 * Why a verb stops short: a message for the user (printed as {@code lifeboat: <message>}, or
 * nothing when null because the verb has already said it) and the exit code.
 */
final class CommandFailure extends Exception {
    private final int exitCode;

    CommandFailure(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
