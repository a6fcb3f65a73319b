package io.lifeboat.store.cli;

import io.lifeboat.cli.ExitCode;
import io.lifeboat.cli.Sizes;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.replication.PruneReport;
import io.lifeboat.store.replication.ReplicationOptions;
import io.lifeboat.store.replication.ReplicationReport;
import io.lifeboat.store.replication.Replicator;
import io.lifeboat.store.replication.S3Settings;
import io.lifeboat.store.replication.S3Target;
import io.lifeboat.store.StoreException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;

@Command(name = "replicate", mixinStandardHelpOptions = true,
        description = "Upload the packs and restore points the bucket does not have yet (idempotent, resumable); "
                + "with --prune, also delete from the bucket what this store deleted, after a grace period. "
                + "Exits 1 if anything could not be uploaded or pruned.")
final class ReplicateCommand extends StoreCli.Verb {
    @ArgGroup(exclusive = false, multiplicity = "1")
    BucketOptions bucket;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "4",
            description = "Uploads in flight at once, 1-64 (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--prune", description = "Delete from the bucket the restore points this store deleted and the "
            + "packs nothing needs any more, once gone for the grace period (only the store that created the bucket prunes it).")
    boolean prune;

    @Option(names = "--prune-grace-hours", paramLabel = "HOURS", defaultValue = "24",
            description = "Grace period for --prune, in hours (default: ${DEFAULT-VALUE}).")
    double graceHours;

    @Override
    public Integer call() throws Exception {
        ReplicationOptions options;
        try {
            if (!(graceHours >= 0) || Double.isInfinite(graceHours)) {
                throw new IllegalArgumentException("--prune-grace-hours must be a number of hours, 0 or more; got " + graceHours);
            }
            options = ReplicationOptions.defaults().withConcurrency(concurrency).withPrune(prune)
                    .withGrace(Duration.ofMillis(Math.round(graceHours * 3_600_000)));
        } catch (IllegalArgumentException e) {
            throw new StoreException(StoreException.Kind.BAD_INPUT, e.getMessage());
        }
        S3Settings settings = bucket.settings(); // bad settings are refused before the store is touched
        try (Store store = open(); S3Target target = new S3Target(settings)) {
            target.testConnection();
            Progress progress = new Progress();
            ReplicationReport r = withProgress(progress, () -> new Replicator(store, target, options).run(progress));
            StringBuilder text = new StringBuilder(String.format("uploaded %d pack(s) and %d restore point(s), %s",
                    r.uploadedPacks(), r.uploadedManifests(), Sizes.human(r.uploadedBytes())));
            PruneReport p = r.prune();
            if (p != null && p.pruned()) {
                text.append(String.format("%npruned %d restore point(s) and %d pack(s), %s; waiting out the grace period: "
                                + "%d restore point(s), %d pack(s)", p.deletedManifests(), p.deletedPacks(),
                        Sizes.human(p.deletedBytes()), p.pendingManifests(), p.pendingPacks()));
            }
            if (p != null && p.note() != null) {
                text.append("\n  prune: ").append(p.note());
            }
            text.append("\n  uploads: ").append(target.probe().chosen().describe());
            r.failures().forEach(f -> text.append("\n  failed: ").append(f));
            print(r, text.toString());
            return r.ok() ? ExitCode.OK : ExitCode.FAILED;
        }
    }
}
