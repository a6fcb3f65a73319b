package io.lifeboat.restore.agent;

import io.lifeboat.cli.ExitCode;
import io.lifeboat.restore.instant.InstantRecovery;
import io.lifeboat.restore.instant.InstantSession;
import io.lifeboat.store.Progress;
import io.lifeboat.store.cli.ProgressBar;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** The part of {@code instant} and {@code resume} after the VM runs: copy and pivot, or serve until interrupted. */
final class InstantFinish {
    private InstantFinish() {
    }

    /**
     * @param servedBytes what the exports had served when the VM was running (null when resuming)
     */
    static int finish(RestoreAgent.Verb verb, InstantRecovery recovery, InstantSession session, double runningAfter,
                      Long servedBytes, boolean serveOnly, long bandwidth) throws Exception {
        if (serveOnly) {
            CountDownLatch interrupted = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(interrupted::countDown));
            verb.print(result(session, runningAfter, servedBytes, null), "serving the disks of " + session.vm()
                    + "; Ctrl-C stops serving (the VM then pauses at its next read of a block not copied yet)");
            interrupted.await();
            return ExitCode.OK;
        }
        long t0 = System.nanoTime();
        Progress progress = new Progress();
        InstantSession done;
        try (ProgressBar ignored = verb.showProgress() ? new ProgressBar(progress, System.err) : null) {
            done = recovery.copyAndPivot(session.id(), bandwidth, progress);
        }
        double copy = (System.nanoTime() - t0) / 1e9;
        verb.print(result(done, runningAfter, servedBytes, copy), String.format(Locale.ROOT,
                "VM %s runs on %s; copied and pivoted in %.1f s, the restore point is no longer needed",
                done.vm(), done.disks().stream().map(InstantSession.Disk::image).toList(), copy));
        return ExitCode.OK;
    }

    private static Map<String, Object> result(InstantSession s, double runningAfter, Long servedBytes, Double copySeconds) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("session", s.id());
        out.put("restorePoint", s.restorePoint());
        out.put("vm", s.vm());
        out.put("state", s.state().name());
        out.put("runningAfterSeconds", runningAfter);
        out.put("servedBytesWhenRunning", servedBytes);
        out.put("copySeconds", copySeconds);
        out.put("images", s.disks().stream().map(InstantSession.Disk::image).toList());
        return out;
    }
}
