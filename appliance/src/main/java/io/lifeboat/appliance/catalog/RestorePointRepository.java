package io.lifeboat.appliance.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Tables {@code restore_points} and {@code restore_point_disks}; {@code replication_points} is
 * read to say whether each one is in the bucket.
 */
@Repository
public class RestorePointRepository {

    private static final String COLUMNS = "id, kind, checkpoint, consistency, logical_bytes, stored_bytes, new_bytes,"
            + " duration_ms, status, reason, is_protected, notes, verify_state, verified_at, frozen_ms,"
            + " (SELECT COUNT(*) FROM replication_points r WHERE r.restore_point_id = restore_points.id) AS replicated";

    private final JdbcClient jdbc;

    public RestorePointRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records a restore point the store has just committed. */
    @Transactional
    public void insert(RestorePoint rp) {
        jdbc.sql("INSERT INTO restore_points (id, vm, taken_at, kind, checkpoint, consistency, logical_bytes,"
                        + " stored_bytes, new_bytes, duration_ms, status, reason, frozen_ms)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(rp.id().toString(), rp.vm(), Timestamps.utc(rp.time()), rp.kind().name(), rp.checkpoint(),
                        rp.consistency().name(), rp.logicalBytes(), rp.storedBytes(), rp.newBytes(),
                        rp.durationMillis(), rp.status().name(), rp.reason(), rp.frozenMillis())
                .update();
        int seq = 0;
        for (RestorePoint.Disk d : rp.disks()) {
            jdbc.sql("INSERT INTO restore_point_disks (restore_point_id, seq, name, size_bytes) VALUES (?, ?, ?, ?)")
                    .params(rp.id().toString(), seq++, d.name(), d.sizeBytes())
                    .update();
        }
    }

    public Optional<RestorePoint> find(RestorePointId id) {
        List<RestorePoint> found = query("WHERE id = ?", id.toString());
        return found.stream().findFirst();
    }

    /** Restore points still in the store, of one VM or (vm null) of all, in VM then time order. */
    public List<RestorePoint> listAvailable(String vm) {
        return vm == null
                ? query("WHERE status = 'AVAILABLE' ORDER BY vm, taken_at")
                : query("WHERE status = 'AVAILABLE' AND vm = ? ORDER BY taken_at", vm);
    }

    public long countAvailable() {
        return jdbc.sql("SELECT COUNT(*) FROM restore_points WHERE status = 'AVAILABLE'").query(Long.class).single();
    }

    /** Marks the restore point deleted; false if it was not available (unknown or deleted already). */
    public boolean markDeleted(RestorePointId id, String reason) {
        return jdbc.sql("UPDATE restore_points SET status = 'DELETED', reason = ?, deleted_at = ?"
                        + " WHERE id = ? AND status = 'AVAILABLE'")
                .params(reason, Timestamps.utc(Timestamps.now()), id.toString())
                .update() == 1;
    }

    /**
     * Sets the user's marks of an available restore point; a null argument leaves that one as it
     * is, {@code notes} empty clears them. False if it is not available.
     */
    public boolean updateMarks(RestorePointId id, Boolean isProtected, String notes) {
        List<String> set = new ArrayList<>();
        if (isProtected != null) {
            set.add("is_protected = :protected");
        }
        if (notes != null) {
            set.add("notes = :notes");
        }
        set.add("id = id"); // a request that changes nothing still says whether the restore point is there
        JdbcClient.StatementSpec update = jdbc.sql("UPDATE restore_points SET " + String.join(", ", set)
                + " WHERE id = :id AND status = 'AVAILABLE'").param("id", id.toString());
        if (isProtected != null) {
            update = update.param("protected", isProtected);
        }
        if (notes != null) {
            update = update.param("notes", notes.isEmpty() ? null : notes, Types.VARCHAR);
        }
        return update.update() == 1;
    }

    /**
     * Records the outcome of a store verify finished at {@code at}: FAILED for {@code failed}, OK
     * for the rest of {@code covered}.
     */
    @Transactional
    public void recordVerify(Collection<RestorePointId> covered, Set<RestorePointId> failed, Instant at) {
        for (RestorePointId id : covered) {
            jdbc.sql("UPDATE restore_points SET verify_state = ?, verified_at = ? WHERE id = ?")
                    .params(failed.contains(id) ? "FAILED" : "OK", Timestamps.utc(at), id.toString())
                    .update();
        }
    }

    /**
     * When a restore point existed and what it added to the store.
     *
     * @param deleted when it was deleted; null while available, or for one deleted before deletion times were kept
     */
    public record Lifespan(String vm, Instant taken, Instant deleted, boolean available, long storedBytes) {

        /** Whether it was in the store at {@code t}; a deletion of unknown time counts as long before. */
        public boolean availableAt(Instant t) {
            return taken.isBefore(t) && (available || deleted != null && !deleted.isBefore(t));
        }
    }

    /** Every restore point taken before {@code until}, deleted or not, oldest first. */
    public List<Lifespan> lifespans(Instant until) {
        return jdbc.sql("SELECT vm, taken_at, deleted_at, status, stored_bytes FROM restore_points WHERE taken_at < ?"
                        + " ORDER BY taken_at")
                .param(Timestamps.utc(until))
                .query((rs, n) -> new Lifespan(rs.getString("vm"), Timestamps.read(rs, "taken_at"),
                        Timestamps.read(rs, "deleted_at"), "AVAILABLE".equals(rs.getString("status")),
                        rs.getLong("stored_bytes")))
                .list();
    }

    private List<RestorePoint> query(String where, Object... params) {
        List<Row> rows = jdbc.sql("SELECT " + COLUMNS + " FROM restore_points " + where)
                .params(params)
                .query(RestorePointRepository::row)
                .list();
        if (rows.isEmpty()) {
            return List.of();
        }
        Map<String, List<RestorePoint.Disk>> disks = disksOf(rows);
        return rows.stream().map(r -> r.with(disks.getOrDefault(r.id().toString(), List.of()))).toList();
    }

    /** The disks of all {@code rows} in one query, so a list costs two queries, not one per row. */
    private Map<String, List<RestorePoint.Disk>> disksOf(List<Row> rows) {
        List<String> ids = rows.stream().map(r -> r.id().toString()).toList();
        Map<String, List<RestorePoint.Disk>> disks = new LinkedHashMap<>();
        jdbc.sql("SELECT restore_point_id, name, size_bytes FROM restore_point_disks"
                        + " WHERE restore_point_id IN (:ids) ORDER BY restore_point_id, seq")
                .param("ids", ids)
                .query((ResultSet rs) -> {
                    disks.computeIfAbsent(rs.getString("restore_point_id"), k -> new ArrayList<>())
                            .add(new RestorePoint.Disk(rs.getString("name"), rs.getLong("size_bytes")));
                });
        return disks;
    }

    /** A {@code restore_points} row before its disks are attached. */
    private record Row(RestorePointId id, Manifest.Kind kind, String checkpoint, Manifest.Consistency consistency,
                       long logicalBytes, long storedBytes, long newBytes, long durationMillis,
                       RestorePoint.Status status, String reason, boolean isProtected, String notes,
                       RestorePoint.Verified verified, boolean replicated, Long frozenMillis) {

        RestorePoint with(List<RestorePoint.Disk> disks) {
            return new RestorePoint(id, kind, checkpoint, consistency, disks, logicalBytes, storedBytes, newBytes,
                    durationMillis, status, reason, isProtected, notes, verified, replicated, frozenMillis);
        }
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        return new Row(RestorePointId.parse(rs.getString("id")),
                Manifest.Kind.valueOf(rs.getString("kind")),
                rs.getString("checkpoint"),
                Manifest.Consistency.valueOf(rs.getString("consistency")),
                rs.getLong("logical_bytes"),
                rs.getLong("stored_bytes"),
                rs.getLong("new_bytes"),
                rs.getLong("duration_ms"),
                RestorePoint.Status.valueOf(rs.getString("status")),
                rs.getString("reason"),
                rs.getBoolean("is_protected"),
                rs.getString("notes"),
                rs.getString("verify_state") == null ? RestorePoint.Verified.NONE
                        : new RestorePoint.Verified(RestorePoint.Verified.State.valueOf(rs.getString("verify_state")),
                                Timestamps.read(rs, "verified_at")),
                rs.getLong("replicated") > 0,
                rs.getObject("frozen_ms") == null ? null : rs.getLong("frozen_ms"));
    }
}
