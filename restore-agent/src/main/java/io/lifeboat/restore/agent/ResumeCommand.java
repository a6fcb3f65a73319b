package io.lifeboat.restore.agent;

import io.lifeboat.cli.ExitCode;
import io.lifeboat.cli.Sizes;
import io.lifeboat.restore.RestoreSource;
import io.lifeboat.restore.instant.InstantRecovery;
import io.lifeboat.restore.instant.InstantSession;
import io.lifeboat.store.manifest.RestorePointId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

/** {@code restore-agent resume ID}: serves an unfinished instant recovery again and finishes it. */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Serve an unfinished instant recovery again (after this process stopped: its VM paused at the first"
                + " read it could not serve, and goes on now), then copy and pivot it.")
final class ResumeCommand extends RestoreAgent.Verb {
    @Parameters(index = "0", paramLabel = "SESSION", description = "The session id `instant` printed.")
    String id;

    @Option(names = "--work", paramLabel = "DIR", defaultValue = "instant",
            description = "Where sessions keep their state (default: ./${DEFAULT-VALUE}).")
    Path work;

    @Option(names = "--bandwidth", paramLabel = "SIZE", defaultValue = "0", description = "Limit of the copy per second.")
    String bandwidth;

    @Option(names = "--no-copy", description = "Only serve the disks, until interrupted.")
    boolean noCopy;

    @Override
    public Integer call() throws Exception {
        try (RestoreAgent.Source opened = open(); InstantRecovery recovery = new InstantRecovery(work)) {
            RestoreSource source = opened.source();
            InstantSession session = recovery.session(id);
            if (session.state() == InstantSession.State.PIVOTED) {
                print(java.util.Map.of("session", id, "state", "PIVOTED"), "session " + id + " is done already: "
                        + session.vm() + " runs on its own images");
                return ExitCode.OK;
            }
            boolean remote = parent.bucket != null;
            session = recovery.resume(id, source.manifest(RestorePointId.parse(session.restorePoint())), source.chunks(),
                    64, remote ? 8 : 0);
            return InstantFinish.finish(this, recovery, session, 0, null, noCopy, Sizes.parse(bandwidth));
        }
    }
}
