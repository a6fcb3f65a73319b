package io.lifeboat.store.cli;

import io.lifeboat.store.StoreException;

/** Exit codes of {@code lifeboat-store}; scripts may rely on them (see docs/cli.md). */
public final class ExitCode {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int NOT_FOUND = 3;
    public static final int CORRUPT = 4;
    public static final int NOT_A_STORE = 5;
    public static final int CONFLICT = 6;
    public static final int NO_SPACE = 7;

    private ExitCode() {
    }

    public static int of(StoreException.Kind kind) {
        return switch (kind) {
            case BAD_INPUT -> USAGE;
            case NOT_FOUND -> NOT_FOUND;
            case CORRUPT -> CORRUPT;
            case FORMAT -> NOT_A_STORE;
            case CONFLICT -> CONFLICT;
            case NO_SPACE -> NO_SPACE;
            case IO -> FAILED;
        };
    }
}
