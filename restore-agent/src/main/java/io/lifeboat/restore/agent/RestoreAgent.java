package io.lifeboat.restore.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lifeboat.cli.ConnectOption;
import io.lifeboat.cli.Conventions;
import io.lifeboat.cli.ExitCode;
import io.lifeboat.cli.Sizes;
import io.lifeboat.restore.RestoreRequest;
import io.lifeboat.restore.RestoreSource;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.cli.StoreCli;
import io.lifeboat.store.replication.S3Settings;
import io.lifeboat.store.replication.S3Target;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code restore-agent}: lists the restore points of a store and restores them as VMs or disk
 * images, on this machine's libvirt or another. Exit codes are every Lifeboat CLI's ({@link ExitCode}).
 */
@Command(name = "restore-agent",
        mixinStandardHelpOptions = true,
        version = "restore-agent 0.1.0",
        description = "Restore VMs and disks from a Lifeboat store, or from its replica in an S3 bucket alone: as a new"
                + " VM, a clone beside the original, over the original, single disk images, or at once (instant recovery).",
        subcommands = {ListCommand.class, RestoreCommand.class, InstantCommand.class, ResumeCommand.class, FilesCommand.class,
                RunbookCommand.class,
                CommandLine.HelpCommand.class})
public final class RestoreAgent {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--store", paramLabel = "DIR", scope = CommandLine.ScopeType.INHERIT,
            description = "Store directory (default: $LIFEBOAT_STORE, else ./store). With --bucket: a local store"
                    + " to read the chunks it has from, before the bucket (optional).")
    Path store;

    @Option(names = "--bucket", paramLabel = "NAME", scope = CommandLine.ScopeType.INHERIT,
            description = "Read restore points and chunks from this S3 bucket (a replication target) instead of a store.")
    String bucket;

    @Option(names = "--endpoint", paramLabel = "URL", scope = CommandLine.ScopeType.INHERIT,
            description = "S3-compatible endpoint (MinIO, Ceph RGW, S3Proxy); omit for AWS S3.")
    java.net.URI endpoint;

    @Option(names = "--region", paramLabel = "REGION", defaultValue = "us-east-1", scope = CommandLine.ScopeType.INHERIT,
            description = "S3 region (default: ${DEFAULT-VALUE}).")
    String region;

    @Option(names = "--access-key", paramLabel = "KEY", scope = CommandLine.ScopeType.INHERIT,
            description = "Access key (default: the AWS credential chain).")
    String accessKey;

    @Option(names = "--secret-key", paramLabel = "KEY", scope = CommandLine.ScopeType.INHERIT,
            description = "Secret key; $LIFEBOAT_S3_SECRET_KEY if not given.")
    String secretKey;

    @Option(names = "--cache", paramLabel = "DIR", defaultValue = "restore-cache", scope = CommandLine.ScopeType.INHERIT,
            description = "With --bucket: where chunks read from the bucket are cached, and its index (default: ./${DEFAULT-VALUE}).")
    Path cache;

    @Option(names = "--cache-size", paramLabel = "SIZE", defaultValue = "4G", scope = CommandLine.ScopeType.INHERIT,
            description = "With --bucket: most bytes the chunk cache holds (default: ${DEFAULT-VALUE}).")
    String cacheSize;

    @Option(names = "--json", scope = CommandLine.ScopeType.INHERIT,
            description = "Print the result as JSON on stdout (no progress bar).")
    boolean json;

    @Option(names = {"-q", "--quiet"}, scope = CommandLine.ScopeType.INHERIT, description = "No progress bar.")
    boolean quiet;

    /** Base of the verbs: store opening and output. */
    abstract static class Verb implements Callable<Integer> {
        @CommandLine.ParentCommand
        RestoreAgent parent;

        /** The store, or the bucket (with the store before it, if one is given): close it when done. */
        Source open() throws StoreException {
            if (parent.bucket == null) {
                Store s = openStore(defaultStore());
                return new Source(s, new RestoreSource(s), null);
            }
            Store near = parent.store == null ? null : openStore(parent.store);
            S3Target target = new S3Target(S3Settings.fromCommandLine(parent.endpoint, parent.region, parent.bucket,
                    parent.accessKey, parent.secretKey));
            try {
                return new Source(near, RestoreSource.bucket(target, parent.cache, Sizes.parse(parent.cacheSize), near), target);
            } catch (StoreException | RuntimeException e) {
                target.close();
                if (near != null) {
                    near.close();
                }
                throw e;
            }
        }

        /** The bucket of {@code --bucket}, for verbs that read only its small objects; close it when done. */
        S3Target bucketOnly() {
            if (parent.bucket == null) {
                return null;
            }
            return new S3Target(S3Settings.fromCommandLine(parent.endpoint, parent.region, parent.bucket, parent.accessKey,
                    parent.secretKey));
        }

        private Path defaultStore() {
            if (parent.store != null) {
                return parent.store;
            }
            String env = System.getenv("LIFEBOAT_STORE");
            return Path.of(env != null && !env.isBlank() ? env : "store");
        }

        private Store openStore(Path dir) throws StoreException {
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

    /** What a verb reads from: the restore source and what it was opened over (closed with it). */
    record Source(Store store, RestoreSource source, S3Target target) implements AutoCloseable {
        @Override
        public void close() throws StoreException {
            source.close();
            if (target != null) {
                target.close();
            }
            if (store != null) {
                store.close();
            }
        }
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * The agent's configuration file, if any: {@code $LIFEBOAT_AGENT_CONFIG}, else
     * {@code /etc/lifeboat/restore-agent.properties} when it exists.
     */
    static Path configFile() {
        String env = System.getenv("LIFEBOAT_AGENT_CONFIG");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Path system = Path.of("/etc/lifeboat/restore-agent.properties");
        return java.nio.file.Files.isRegularFile(system) ? system : null;
    }

    public static int run(String... args) {
        return run(configFile(), args);
    }

    /**
     * Runs with defaults for any option from {@code config}, a properties file whose keys are the
     * options' long names without dashes ({@code bucket=lifeboat}, {@code endpoint=http://…},
     * {@code access-key=…}, {@code secret-key=…}, {@code cache=/var/cache/lifeboat}); options on
     * the command line win. A recovery site keeps its bucket settings there instead of on every
     * command line.
     */
    public static int run(Path config, String... args) {
        CommandLine cl = new CommandLine(new RestoreAgent());
        if (config != null) {
            if (!java.nio.file.Files.isReadable(config)) {
                System.err.println("restore-agent: cannot read the configuration file " + config);
                return ExitCode.USAGE;
            }
            cl.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(config.toFile()));
        }
        ConnectOption.defaultIs(cl, RestoreRequest.DEFAULT_URI);
        Conventions.apply(cl, StoreCli::failure);
        return cl.execute(args);
    }
}
