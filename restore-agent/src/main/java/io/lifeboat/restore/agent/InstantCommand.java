package io.lifeboat.restore.agent;

import io.lifeboat.cli.ConnectOption;
import io.lifeboat.cli.Sizes;
import io.lifeboat.nbd.ExportStatistics;
import io.lifeboat.restore.RestoreRequest;
import io.lifeboat.restore.RestoreSource;
import io.lifeboat.restore.instant.InstantRecovery;
import io.lifeboat.restore.instant.InstantSession;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code restore-agent instant RP --name N}: the VM runs from the restore point within seconds,
 * its disks served by this process over NBD; then (unless {@code --no-copy}) they are copied into
 * flat images in the background and the VM is pivoted onto them, after which this process is no
 * longer needed and exits. {@code resume ID} picks up a session this process left unfinished.
 */
@Command(name = "instant", mixinStandardHelpOptions = true,
        description = "Instant recovery: run the VM from the restore point at once, then copy its disks into place"
                + " while it runs. This process serves the disks until the copy is done; keep it running.")
final class InstantCommand extends RestoreAgent.Verb {
    @Parameters(index = "0", paramLabel = "RESTORE-POINT", description = "vm/time, as `list` shows.")
    String id;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "The recovered VM's name.")
    String name;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "images",
            description = "Where the final disk images go, <name>-<disk>.qcow2 (default: ./${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--work", paramLabel = "DIR", defaultValue = "instant",
            description = "Where sessions keep their state, overlays and NBD socket (default: ./${DEFAULT-VALUE}; keep the path short).")
    Path work;

    @Option(names = "--keep-identity",
            description = "Keep the original's UUID and MAC addresses (a recovery site where the original is gone).")
    boolean keepIdentity;

    @Mixin
    ConnectOption connect;

    @Option(names = "--bandwidth", paramLabel = "SIZE", defaultValue = "0",
            description = "Limit of the background copy per second, e.g. 100M (default: none).")
    String bandwidth;

    @Option(names = "--no-copy", description = "Only serve the VM's disks, until interrupted (Ctrl-C); copy later with `resume`.")
    boolean noCopy;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        try (RestoreAgent.Source opened = open(); InstantRecovery recovery = new InstantRecovery(work)) {
            RestoreSource source = opened.source();
            Manifest m = source.manifest(RestorePointId.parse(id));
            boolean remote = parent.bucket != null;
            InstantSession session = recovery.start(m, source.chunks(),
                    new InstantRecovery.Options(name, !keepIdentity, dir, connect.uriOr(RestoreRequest.DEFAULT_URI), 64, remote ? 8 : 0));
            double running = (System.nanoTime() - t0) / 1e9;
            long served = session.disks().stream().mapToLong(d -> recovery.served(session.id(), d.target())
                    .map(ExportStatistics::bytesRead).orElse(0L)).sum();
            if (!parent.json) {
                System.err.printf(Locale.ROOT, "VM %s is running from %s after %.1f s (session %s, %d bytes served so far)%n",
                        name, id, running, session.id(), served);
            }
            return InstantFinish.finish(this, recovery, session, running, served, noCopy, Sizes.parse(bandwidth));
        }
    }
}
