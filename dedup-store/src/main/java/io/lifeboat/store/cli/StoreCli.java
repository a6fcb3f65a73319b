package io.lifeboat.store.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lifeboat.cli.Conventions;
import io.lifeboat.cli.ExitCode;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.Callable;

/**
 * {@code lifeboat-store}: the store's command line, for offline disk images and for scripts.
 * Every verb has {@code --help}, prints JSON with {@code --json}, and exits with a code from
 * {@link ExitCode}.
 */
@Command(name = "lifeboat-store",
        mixinStandardHelpOptions = true,
        version = "lifeboat-store 0.1.0",
        description = "Back up disk images into a Lifeboat chunk store, list, restore, verify and garbage-collect it; "
                + "replicate it to an S3 bucket and mirror a bucket at a recovery site.",
        subcommands = {
                InitCommand.class, BackupCommand.class, ListCommand.class, ShowCommand.class,
                RestoreCommand.class, VerifyCommand.class, GcCommand.class, DeleteCommand.class,
                ReplicateCommand.class, MirrorCommand.class, VerifyBucketCommand.class, TestBucketCommand.class,
                CommandLine.HelpCommand.class})
public final class StoreCli {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    // Options every verb takes, before or after the verb's name.
    @Option(names = "--store", paramLabel = "DIR", scope = CommandLine.ScopeType.INHERIT,
            description = "Store directory (default: $LIFEBOAT_STORE, else ./store).")
    Path store;

    @Option(names = "--json", scope = CommandLine.ScopeType.INHERIT,
            description = "Print the result as JSON on stdout (no progress bar).")
    boolean json;

    @Option(names = {"-q", "--quiet"}, scope = CommandLine.ScopeType.INHERIT,
            description = "No progress bar.")
    boolean quiet;

    Path storeDir() {
        if (store != null) {
            return store;
        }
        String env = System.getenv("LIFEBOAT_STORE");
        return Paths.get(env != null && !env.isBlank() ? env : "store");
    }

    /** Base of the verbs: global options, store opening, output and progress. */
    abstract static class Verb implements Callable<Integer> {
        @CommandLine.ParentCommand
        StoreCli parent;

        Store open() throws StoreException {
            Store s = Store.open(parent.storeDir());
            if (!parent.json) {
                s.openWarnings().forEach(w -> System.err.println("note: " + w));
            }
            return s;
        }

        /** Runs {@code work} with a progress bar on stderr when a person is watching. */
        @SuppressWarnings("try") // the bar only needs closing
        <T> T withProgress(Progress p, ThrowingSupplier<T> work) throws StoreException {
            boolean show = !parent.json && !parent.quiet && System.console() != null;
            if (!show) {
                return work.get();
            }
            try (ProgressBar ignored = new ProgressBar(p, System.err)) {
                return work.get();
            }
        }

        void print(Object json, String human) {
            if (parent.json) {
                try {
                    System.out.println(JSON.writeValueAsString(json));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                System.out.println(human);
            }
        }
    }

    @FunctionalInterface
    interface ThrowingSupplier<T> {
        T get() throws StoreException;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return Conventions.apply(new CommandLine(new StoreCli()), StoreCli::failure).execute(args);
    }

    /**
     * The store's errors a user can cause, for this CLI and the restore agent: a
     * {@link StoreException} by its kind, a bad value of an option ({@link IllegalArgumentException}).
     */
    public static Conventions.Failure failure(Exception e) {
        if (e instanceof StoreException se) {
            return new Conventions.Failure(exitCode(se.kind()), se.getMessage());
        }
        if (e instanceof IllegalArgumentException) {
            return new Conventions.Failure(ExitCode.USAGE, e.getMessage());
        }
        return null;
    }

    public static int exitCode(StoreException.Kind kind) {
        return switch (kind) {
            case BAD_INPUT -> ExitCode.USAGE;
            case NOT_FOUND -> ExitCode.NOT_FOUND;
            case CORRUPT -> ExitCode.CORRUPT;
            case FORMAT -> ExitCode.NOT_A_STORE;
            case CONFLICT -> ExitCode.CONFLICT;
            case NO_SPACE -> ExitCode.NO_SPACE;
            case IO -> ExitCode.FAILED;
        };
    }
}
