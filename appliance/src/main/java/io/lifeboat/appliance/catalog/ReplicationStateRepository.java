package io.lifeboat.appliance.catalog;

import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.replication.PruneReport;
import io.lifeboat.store.replication.ReplicationReport;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Tables {@code replication_vms} (per VM, the newest restore point the bucket holds) and
 * {@code replication_runs} (what each replication job sent). The bucket stays the authority on
 * what it holds; these rows are what the appliance last saw there, kept so status and metrics
 * survive a restart and need no request to the bucket.
 */
@Repository
public class ReplicationStateRepository {

    /** The newest restore point of one VM that the bucket held when last checked. */
    public record VmState(String vm, RestorePointId newestInBucket, Instant checkedAt) {
    }

    /** A finished replication job and what it sent. */
    public record Run(UUID job, Instant ended, Job.State state, String error, ReplicationReport report) {
    }

    private final JdbcClient jdbc;

    public ReplicationStateRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Records what the bucket holds now: for each VM with a restore point among {@code inBucket},
     * the newest one. A VM none of whose restore points is in the bucket any more loses its row.
     * Every one of them is kept too ({@code replication_points}), so a restore point can say
     * whether it is replicated.
     */
    @Transactional
    public void recordBucket(Collection<RestorePointId> inBucket, Instant checkedAt) {
        Map<String, RestorePointId> newest = new TreeMap<>();
        for (RestorePointId id : inBucket) {
            newest.merge(id.vm(), id, (a, b) -> a.time().isAfter(b.time()) ? a : b);
        }
        jdbc.sql("DELETE FROM replication_vms").update();
        for (RestorePointId id : newest.values()) {
            jdbc.sql("INSERT INTO replication_vms (vm, newest_in_bucket, newest_taken_at, checked_at) VALUES (?, ?, ?, ?)")
                    .params(id.vm(), id.toString(), Timestamps.utc(id.time()), Timestamps.utc(checkedAt))
                    .update();
        }
        jdbc.sql("DELETE FROM replication_points").update();
        for (String id : new java.util.TreeSet<>(inBucket.stream().map(RestorePointId::toString).toList())) {
            jdbc.sql("INSERT INTO replication_points (restore_point_id, checked_at) VALUES (?, ?)")
                    .params(id, Timestamps.utc(checkedAt))
                    .update();
        }
    }

    public List<VmState> vms() {
        return jdbc.sql("SELECT * FROM replication_vms ORDER BY vm")
                .query((rs, n) -> new VmState(rs.getString("vm"), RestorePointId.parse(rs.getString("newest_in_bucket")),
                        Timestamps.read(rs, "checked_at")))
                .list();
    }

    public void recordRun(UUID job, ReplicationReport r) {
        PruneReport p = r.prune();
        jdbc.sql("INSERT INTO replication_runs (job_id, uploaded_packs, uploaded_manifests, uploaded_bytes,"
                        + " skipped_packs, skipped_manifests, failures, pruned, prune_note, deleted_manifests, deleted_packs,"
                        + " deleted_bytes, pending_manifests, pending_packs, foreign_manifests)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(job.toString(), r.uploadedPacks(), r.uploadedManifests(), r.uploadedBytes(),
                        r.skippedPacks(), r.skippedManifests(), failures(r.failures()),
                        p == null ? null : p.pruned(), p == null ? null : cut(p.note(), 1000),
                        p == null ? null : p.deletedManifests(), p == null ? null : p.deletedPacks(),
                        p == null ? null : p.deletedBytes(), p == null ? null : p.pendingManifests(),
                        p == null ? null : p.pendingPacks(), p == null ? null : p.foreignManifests())
                .update();
    }

    /** The most recently ended replication job, with its report when it got as far as making one. */
    public Optional<Run> lastRun() {
        return jdbc.sql("SELECT j.id, j.ended_at, j.state, j.error, r.* FROM jobs j"
                        + " LEFT JOIN replication_runs r ON r.job_id = j.id"
                        + " WHERE j.kind = 'REPLICATION' AND j.ended_at IS NOT NULL"
                        + " ORDER BY j.ended_at DESC, j.id FETCH FIRST 1 ROWS ONLY")
                .query(ReplicationStateRepository::run)
                .optional();
    }

    private static Run run(ResultSet rs, int n) throws SQLException {
        ReplicationReport report = rs.getString("job_id") == null ? null : new ReplicationReport(
                rs.getInt("uploaded_packs"), rs.getInt("uploaded_manifests"), rs.getLong("uploaded_bytes"),
                rs.getInt("skipped_packs"), rs.getInt("skipped_manifests"),
                rs.getString("failures") == null ? List.of() : List.of(rs.getString("failures").split("\n")),
                rs.getObject("pruned") == null ? null : new PruneReport(rs.getBoolean("pruned"), rs.getString("prune_note"),
                        rs.getInt("deleted_manifests"), rs.getInt("deleted_packs"), rs.getLong("deleted_bytes"),
                        rs.getInt("pending_manifests"), rs.getInt("pending_packs"), rs.getInt("foreign_manifests")));
        return new Run(UUID.fromString(rs.getString("id")), Timestamps.read(rs, "ended_at"),
                Job.State.valueOf(rs.getString("state")), rs.getString("error"), report);
    }

    /** One failure per line, cut to the column's width. */
    private static String failures(List<String> failures) {
        if (failures.isEmpty()) {
            return null;
        }
        return cut(String.join("\n", failures), 4000);
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 2) + " …";
    }
}
