package io.lifeboat.appliance.dashboard;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.inventory.VmState;

/** What {@code GET /api/dashboard} answers; see {@link Dashboard}. */
public record DashboardView(List<VmProtection> vms, Jobs jobs, StoreTotals store, List<Day> history,
                            List<Failure> failures) {

    /**
     * One VM of the default host and how well it is protected.
     *
     * @param protectedByPolicy     whether some policy selects it ({@code protected} in JSON)
     * @param policy                the selecting policy with the shortest RPO, or null
     * @param rpoSeconds            that policy's recovery point objective, or null
     * @param lastBackup            its most recent backup job, or null if it never had one
     * @param ageSeconds            age of its newest available restore point, or null if it has none
     * @param replicationLagSeconds how far the newest restore point in the bucket lags the newest local one;
     *                              null without a replicated restore point
     */
    public record VmProtection(String vm, String host, VmState state,
                               @JsonProperty("protected") boolean protectedByPolicy, String policy, Long rpoSeconds,
                               LastBackup lastBackup, Long ageSeconds, ProtectionStatus status,
                               Long replicationLagSeconds) {
    }

    /**
     * A VM's most recent backup job.
     *
     * @param time when it ended, or started, or was created, whichever is the latest it has
     */
    public record LastBackup(Instant time, Job.State state, String restorePoint, UUID jobId, String error) {

        static LastBackup of(Job job) {
            Instant time = job.ended() != null ? job.ended() : job.started() != null ? job.started() : job.created();
            return new LastBackup(time, job.state(), job.restorePoint(), job.id(), job.error());
        }
    }

    /** The jobs running on this appliance's catalog now, and how many wait. */
    public record Jobs(List<Job> running, int queued) {
    }

    /**
     * Totals over the available restore points' catalog rows.
     *
     * @param dedupRatio       logicalBytes / newBytes; null when newBytes is 0
     * @param compressionRatio newBytes / storedBytes; null when storedBytes is 0
     */
    public record StoreTotals(long logicalBytes, long storedBytes, long newBytes, Double dedupRatio,
                              Double compressionRatio, long restorePoints) {
    }

    /**
     * One day (UTC) of the history.
     *
     * @param day           {@code 2026-12-01}
     * @param storedBytes   stored bytes of the restore points available at the end of the day
     * @param restorePoints how many restore points were available at the end of the day
     */
    public record Day(String day, long storedBytes, long restorePoints) {
    }

    /** A job that ended FAILED. */
    public record Failure(UUID jobId, String vm, Job.Kind kind, String error, Instant ended) {

        static Failure of(Job job) {
            return new Failure(job.id(), job.vm(), job.kind(), job.error(), job.ended());
        }
    }
}
