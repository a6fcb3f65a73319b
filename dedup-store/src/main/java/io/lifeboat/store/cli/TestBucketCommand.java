package io.lifeboat.store.cli;

import io.lifeboat.cli.ExitCode;
import io.lifeboat.store.replication.S3Target;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;

@Command(name = "test-bucket", mixinStandardHelpOptions = true,
        description = "Check that the bucket can be reached with these credentials, and probe how the server must be "
                + "sent objects so that it stores them exactly: a small object is written with each candidate encoding, "
                + "read back, compared and deleted. Prints the settings chosen. Exits 1 if no encoding works.")
final class TestBucketCommand extends StoreCli.Verb {
    @ArgGroup(exclusive = false, multiplicity = "1")
    BucketOptions bucket;

    @Override
    public Integer call() throws Exception {
        try (S3Target target = bucket.connect()) {
            S3Target.Probe probe = target.probe();
            StringBuilder text = new StringBuilder(target.settings().where() + ": OK\nuploads: " + probe.chosen().describe()
                    + (probe.md5Etags() ? " (ETags are MD5s: checked after every upload)" : " (ETags are not MD5s)"));
            for (S3Target.Probe.Attempt a : probe.attempts()) {
                if (a.problem() != null) {
                    text.append("\n  not ").append(a.tried().describe()).append(": ").append(a.problem());
                }
            }
            print(probe, text.toString());
            return ExitCode.OK;
        }
    }
}
