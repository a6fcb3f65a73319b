package io.lifeboat.store.cli;

import io.lifeboat.cli.ExitCode;
import io.lifeboat.cli.Sizes;
import io.lifeboat.store.Progress;
import io.lifeboat.store.replication.BucketVerifier;
import io.lifeboat.store.replication.BucketVerifyReport;
import io.lifeboat.store.replication.S3Target;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;

@Command(name = "verify-bucket", mixinStandardHelpOptions = true,
        description = "Download and check every pack and restore point in the bucket (no local store needed), and "
                + "name each damaged object and the restore points that cannot be restored from the bucket. "
                + "Exits 4 if anything is wrong.")
final class VerifyBucketCommand extends StoreCli.Verb {
    @ArgGroup(exclusive = false, multiplicity = "1")
    BucketOptions bucket;

    @Override
    public Integer call() throws Exception {
        try (S3Target target = bucket.connect()) {
            Progress progress = new Progress();
            BucketVerifyReport r = withProgress(progress, () -> new BucketVerifier(target).run(progress));
            StringBuilder text = new StringBuilder(String.format("%d packs, %d chunks, %s, %d restore point(s) checked: %s",
                    r.packsChecked(), r.chunksChecked(), Sizes.human(r.bytesChecked()), r.restorePointsChecked(),
                    r.ok() ? "OK" : "PROBLEMS FOUND"));
            r.damagedObjects().forEach(o -> text.append("\n  damaged ").append(o.key()).append(": ").append(o.reason())
                    .append(o.restorePoints().isEmpty() ? "" : "\n    needed by " + String.join(", ", o.restorePoints())));
            r.affectedRestorePoints().forEach(a -> text.append("\n  restore point ").append(a.id()).append(": ")
                    .append(a.problem()));
            print(r, text.toString());
            return r.ok() ? ExitCode.OK : ExitCode.CORRUPT;
        }
    }
}
