package io.lifeboat.cli.lifeboat;

import io.lifeboat.cli.ConnectOption;
import io.lifeboat.cli.Conventions;
import io.lifeboat.cli.ExitCode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.Console;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * {@code lifeboat}: the appliance's command line, a client of its REST API (docs/api.md) that
 * starts no Spring. Every verb has {@code --help}, prints the API's JSON with {@code --json} and a
 * table otherwise, and exits with a code from {@link ExitCode}. See docs/lifeboat-cli.md.
 */
@Command(name = "lifeboat",
        mixinStandardHelpOptions = true,
        version = "lifeboat 0.1.0",
        description = "Manage VMs, back them up, look after restore points, jobs, replication and backup policies on a Lifeboat appliance.",
        subcommands = {
                VmsCommand.class, VmCommand.class, SnapshotCommand.class, CloneCommand.class,
                BackupCommand.class, JobCommand.class, JobsCommand.class,
                RestorePointsCommand.class, RestorePointCommand.class,
                RestoreCommand.class, FilesCommand.class, InstantRecoverCommand.class, InstantRecoveriesCommand.class, InstantRecoveryCommand.class,
                ReplicationCommand.class, PoliciesCommand.class, PolicyCommand.class, RunbookCommand.class,
                CommandLine.HelpCommand.class})
public final class LifeboatCli {
    static final String DEFAULT_URL = "http://localhost:8080";
    static final String DEFAULT_USER = "admin";

    // Options every verb takes, before or after the verb's name.
    @Option(names = "--url", paramLabel = "URL", scope = CommandLine.ScopeType.INHERIT,
            description = "The appliance (default: $LIFEBOAT_URL, else%n" + DEFAULT_URL + ").")
    String url;

    @Option(names = "--user", paramLabel = "NAME", scope = CommandLine.ScopeType.INHERIT,
            description = "User name (default: $LIFEBOAT_USER, else " + DEFAULT_USER + ").")
    String user;

    @Option(names = "--password", paramLabel = "PASSWORD", scope = CommandLine.ScopeType.INHERIT,
            description = "Password (default: $LIFEBOAT_PASSWORD; asked for on a terminal if neither is given).")
    String password;

    @Option(names = "--json", scope = CommandLine.ScopeType.INHERIT,
            description = "Print the API's JSON on stdout (no progress bar).")
    boolean json;

    private ApplianceClient client;

    /** The connection the options and environment describe, made once per run. */
    ApplianceClient client() throws CommandFailure {
        if (client == null) {
            String u = firstOf(user, System.getenv("LIFEBOAT_USER"), DEFAULT_USER);
            client = new ApplianceClient(baseUri(), u, password(u));
        }
        return client;
    }

    private URI baseUri() throws CommandFailure {
        String u = firstOf(url, System.getenv("LIFEBOAT_URL"), DEFAULT_URL);
        try {
            URI uri = new URI(u);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new URISyntaxException(u, "not an http(s) URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new CommandFailure(ExitCode.USAGE, "not an appliance URL: '" + u + "' (example: " + DEFAULT_URL + ")");
        }
    }

    private String password(String u) {
        String p = firstOf(password, System.getenv("LIFEBOAT_PASSWORD"), null);
        Console console = System.console();
        if (p == null && console != null) {
            char[] typed = console.readPassword("Password for %s: ", u);
            p = typed == null ? null : new String(typed);
        }
        return p;
    }

    private static String firstOf(String option, String env, String fallback) {
        if (option != null) {
            return option;
        }
        return env != null && !env.isBlank() ? env : fallback;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line and returns its exit code; prints to whatever System.out and System.err are now. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new LifeboatCli());
        ConnectOption.defaultIs(cl, "the appliance's first host");
        Conventions.apply(cl, ex -> ex instanceof CommandFailure f ? new Conventions.Failure(f.exitCode(), f.getMessage()) : null);
        return cl.execute(args);
    }
}
