package io.lifeboat.store.cli;

import io.lifeboat.cli.ExitCode;
import io.lifeboat.cli.Sizes;
import io.lifeboat.store.Progress;
import io.lifeboat.store.replication.BucketReader;
import io.lifeboat.store.replication.MirrorReport;
import io.lifeboat.store.replication.S3Target;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;

@Command(name = "mirror", mixinStandardHelpOptions = true,
        description = "At a recovery site: make --store a local copy of the bucket (created if absent, resumed if "
                + "not), verifying every pack and restore point; then list and restore as usual. Exits 4 if "
                + "anything in the bucket was damaged (it is left out, with the restore points that need it).")
final class MirrorCommand extends StoreCli.Verb {
    @ArgGroup(exclusive = false, multiplicity = "1")
    BucketOptions bucket;

    @Override
    public Integer call() throws Exception {
        try (S3Target target = bucket.connect()) {
            Progress progress = new Progress();
            MirrorReport r = withProgress(progress, () -> new BucketReader(target).mirrorTo(parent.storeDir(), progress));
            StringBuilder text = new StringBuilder(String.format("downloaded %d pack(s) and %d restore point(s), %s",
                    r.downloadedPacks(), r.downloadedManifests(), Sizes.human(r.downloadedBytes())));
            r.refused().forEach(p -> text.append("\n  left out: ").append(p));
            print(r, text.toString());
            return r.ok() ? ExitCode.OK : ExitCode.CORRUPT;
        }
    }
}
