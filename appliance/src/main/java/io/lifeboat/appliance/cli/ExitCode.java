package io.lifeboat.appliance.cli;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Exit codes of {@code lifeboat}; scripts may rely on them (see docs/lifeboat-cli.md). */
final class ExitCode {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int NOT_FOUND = 3;
    static final int NOT_AUTHENTICATED = 4;
    static final int UNREACHABLE = 5;
    static final int CONFLICT = 6;
    static final int INTERRUPTED = 130;

    /** What every verb's {@code --help} lists. */
    static final Map<String, String> DESCRIPTIONS = descriptions();

    private ExitCode() {
    }

    /** The exit code for an HTTP error status from the appliance. */
    static int ofStatus(int status) {
        return switch (status) {
            case 400, 422 -> USAGE;
            case 401, 403 -> NOT_AUTHENTICATED;
            case 404 -> NOT_FOUND;
            case 409 -> CONFLICT;
            default -> FAILED;
        };
    }

    private static Map<String, String> descriptions() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(Integer.toString(OK), "success");
        m.put(Integer.toString(FAILED), "failed: the job failed or was cancelled, a server error, an I/O error");
        m.put(Integer.toString(USAGE), "bad usage or bad input (the appliance answered 400 or 422)");
        m.put(Integer.toString(NOT_FOUND), "not found: no such VM, snapshot, job, restore point or policy (404)");
        m.put(Integer.toString(NOT_AUTHENTICATED), "not authenticated or not allowed (401, 403)");
        m.put(Integer.toString(UNREACHABLE), "the appliance is unreachable");
        m.put(Integer.toString(CONFLICT), "conflict with the current state (409)");
        m.put(Integer.toString(INTERRUPTED), "interrupted (Ctrl-C); a job being waited for is cancelled");
        return Collections.unmodifiableMap(m); // in this order in --help
    }
}
