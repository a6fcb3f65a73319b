package io.lifeboat.store.cli;

import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.replication.ReplicationReport;
import io.lifeboat.store.replication.Replicator;
import io.lifeboat.store.replication.S3Target;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;

@Command(name = "replicate", mixinStandardHelpOptions = true,
        description = "Upload the packs and restore points the bucket does not have yet (idempotent, resumable). "
                + "Exits 1 if anything could not be uploaded.")
final class ReplicateCommand extends StoreCli.Verb {
    @ArgGroup(exclusive = false, multiplicity = "1")
    BucketOptions bucket;

    @Override
    public Integer call() throws Exception {
        try (Store store = open(); S3Target target = new S3Target(bucket.settings())) {
            target.testConnection();
            Progress progress = new Progress();
            ReplicationReport r = withProgress(progress, () -> new Replicator(store, target).run(progress));
            StringBuilder text = new StringBuilder(String.format("uploaded %d pack(s) and %d restore point(s), %s",
                    r.uploadedPacks(), r.uploadedManifests(), Sizes.human(r.uploadedBytes())));
            r.failures().forEach(f -> text.append("\n  failed: ").append(f));
            print(r, text.toString());
            return r.ok() ? ExitCode.OK : ExitCode.FAILED;
        }
    }
}
