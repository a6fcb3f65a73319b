package io.lifeboat.restore.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.cli.ExitCode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code restore-agent}: lists the restore points of a store and restores them as VMs or disk
 * images, on this machine's libvirt or another. Exit codes are the store CLI's ({@link ExitCode}).
 */
@Command(name = "restore-agent",
        mixinStandardHelpOptions = true,
        version = "restore-agent 0.1.0",
        description = "Restore VMs and disks from a Lifeboat store: as a new VM, a clone beside the original, "
                + "over the original, or single disk images.",
        subcommands = {ListCommand.class, RestoreCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:failed (I/O or libvirt error)",
                "2:bad usage or bad input",
                "3:restore point, disk, VM or chunk not found",
                "4:damaged data met",
                "5:not a Lifeboat store, or a store of another format version",
                "6:conflict: store in use, target file or VM exists, VM running",
                "7:no space left on device"})
public final class RestoreAgent {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--store", paramLabel = "DIR", scope = CommandLine.ScopeType.INHERIT,
            description = "Store directory (default: $LIFEBOAT_STORE, else ./store).")
    Path store;

    @Option(names = "--json", scope = CommandLine.ScopeType.INHERIT,
            description = "Print the result as JSON on stdout (no progress bar).")
    boolean json;

    @Option(names = {"-q", "--quiet"}, scope = CommandLine.ScopeType.INHERIT, description = "No progress bar.")
    boolean quiet;

    /** Base of the verbs: store opening and output. */
    abstract static class Verb implements Callable<Integer> {
        @CommandLine.ParentCommand
        RestoreAgent parent;

        Store open() throws StoreException {
            Path dir = parent.store;
            if (dir == null) {
                String env = System.getenv("LIFEBOAT_STORE");
                dir = Path.of(env != null && !env.isBlank() ? env : "store");
            }
            Store s = Store.open(dir);
            if (!parent.json) {
                s.openWarnings().forEach(w -> System.err.println("note: " + w));
            }
            return s;
        }

        boolean showProgress() {
            return !parent.json && !parent.quiet && System.console() != null;
        }

        void print(Object json, String human) {
            if (parent.json) {
                try {
                    System.out.println(JSON.writeValueAsString(json));
                } catch (JsonProcessingException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                System.out.println(human);
            }
        }
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cl = new CommandLine(new RestoreAgent());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof StoreException se) {
                cmd.getErr().println("restore-agent: " + se.getMessage());
                return ExitCode.of(se.kind());
            }
            if (ex instanceof IllegalArgumentException) {
                cmd.getErr().println("restore-agent: " + ex.getMessage());
                return ExitCode.USAGE;
            }
            cmd.getErr().println("restore-agent: internal error: " + ex);
            ex.printStackTrace(cmd.getErr());
            return ExitCode.FAILED;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("restore-agent: " + ex.getMessage());
            ex.getCommandLine().getErr().println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return ExitCode.USAGE;
        });
        return cl.execute(args);
    }
}
