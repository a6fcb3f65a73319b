package io.lifeboat.cli;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The exit codes of every Lifeboat command line ({@code lifeboat}, {@code lifeboat-store},
 * {@code restore-agent}): one number per kind of failure, whichever CLI meets it. Scripts rely
 * on them; docs/cli.md lists them, and every {@code --help} ends with {@link #DESCRIPTIONS}.
 * A kind one CLI cannot meet (a store that is not one, for {@code lifeboat}) keeps its number
 * there all the same.
 */
public final class ExitCode {
    public static final int OK = 0;
    /** An I/O, libvirt or server error, or a job that failed or was cancelled. */
    public static final int FAILED = 1;
    /** Bad usage or bad input: unknown option, missing argument, malformed id or file. */
    public static final int USAGE = 2;
    public static final int NOT_FOUND = 3;
    /** Damaged data found (verify) or met. */
    public static final int CORRUPT = 4;
    /** Not a Lifeboat store, or a store of another format version. */
    public static final int NOT_A_STORE = 5;
    /** Conflict with the current state: in use, exists already, running. */
    public static final int CONFLICT = 6;
    public static final int NO_SPACE = 7;
    /** The appliance refused the user (401) or the request (403). */
    public static final int NOT_AUTHENTICATED = 8;
    /** The appliance does not answer. */
    public static final int UNREACHABLE = 9;
    /** Ctrl-C: 128 + SIGINT, what a shell reports for a process the signal ended. */
    public static final int INTERRUPTED = 130;

    /** What every {@code --help} lists, in this order. */
    public static final Map<String, String> DESCRIPTIONS = descriptions();

    private ExitCode() {
    }

    private static Map<String, String> descriptions() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(Integer.toString(OK), "success");
        m.put(Integer.toString(FAILED), "failed: an I/O, libvirt or server error; a job that failed or was cancelled");
        m.put(Integer.toString(USAGE), "bad usage or bad input");
        m.put(Integer.toString(NOT_FOUND), "not found: no such VM, restore point, disk, chunk, snapshot, job or policy");
        m.put(Integer.toString(CORRUPT), "damaged data found (verify) or met");
        m.put(Integer.toString(NOT_A_STORE), "not a Lifeboat store, or a store of another format version");
        m.put(Integer.toString(CONFLICT), "conflict: in use, exists already, VM running, job running");
        m.put(Integer.toString(NO_SPACE), "no space left on device");
        m.put(Integer.toString(NOT_AUTHENTICATED), "not authenticated or not allowed by the appliance");
        m.put(Integer.toString(UNREACHABLE), "the appliance is unreachable");
        m.put(Integer.toString(INTERRUPTED), "interrupted (Ctrl-C); a job being waited for is cancelled");
        return Collections.unmodifiableMap(m);
    }
}
