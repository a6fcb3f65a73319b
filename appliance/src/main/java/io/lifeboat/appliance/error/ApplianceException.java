package io.lifeboat.appliance.error;

import java.util.Objects;

/**
 * A request the appliance refuses, with the one-line message the user sees and a {@link Kind}
 * saying what is wrong with it. Services throw it; only the web layer's problem handler turns the
 * kind into an HTTP status ({@code application/problem+json}, {@code detail} = the message), and it
 * logs nothing: the caller, not the operator, has something to fix.
 */
public class ApplianceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What is wrong with the request. */
    public enum Kind {
        /** The request itself is malformed or asks for something impossible. */
        BAD_REQUEST,
        /** What the request names does not exist. */
        NOT_FOUND,
        /** The request clashes with the current state: already deleted, already running. */
        CONFLICT,
        /** The request is well formed but cannot be carried out as the appliance is set up. */
        UNPROCESSABLE,
        /** Something the request needs is not available now; trying again later may work. */
        UNAVAILABLE
    }

    private final Kind kind;

    public ApplianceException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind);
    }

    public ApplianceException(Kind kind, String message) {
        this(kind, message, null);
    }

    public static ApplianceException badRequest(String message) {
        return new ApplianceException(Kind.BAD_REQUEST, message);
    }

    public static ApplianceException badRequest(String message, Throwable cause) {
        return new ApplianceException(Kind.BAD_REQUEST, message, cause);
    }

    public static ApplianceException notFound(String message) {
        return new ApplianceException(Kind.NOT_FOUND, message);
    }

    public static ApplianceException conflict(String message) {
        return new ApplianceException(Kind.CONFLICT, message);
    }

    public static ApplianceException unprocessable(String message) {
        return new ApplianceException(Kind.UNPROCESSABLE, message);
    }

    public Kind kind() {
        return kind;
    }
}
