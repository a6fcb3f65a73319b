package io.lifeboat.appliance.catalog;

import java.util.List;
import java.util.Optional;

import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.appliance.error.ApplianceException;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.RestorePointId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/** Restore points as users see them: the catalog's rows, kept in step with the chunk store. */
@Service
public class RestorePointService {

    static final String DELETE_ACTION = "restore-point.delete";

    private static final Logger log = LoggerFactory.getLogger(RestorePointService.class);

    private final RestorePointRepository restorePoints;
    private final ChunkStore store;
    private final AuditLog audit;
    private final ObjectProvider<RestorePointPins> pins;

    public RestorePointService(RestorePointRepository restorePoints, ChunkStore store, AuditLog audit,
                               ObjectProvider<RestorePointPins> pins) {
        this.restorePoints = restorePoints;
        this.store = store;
        this.audit = audit;
        this.pins = pins;
    }

    /** What holds restore points now (a VM running on one, say), looked up once for many questions. */
    public RestorePointPins.Pinned pins() {
        List<RestorePointPins.Pinned> now = pins.orderedStream().map(RestorePointPins::pins).toList();
        return id -> now.stream().map(p -> p.why(id)).flatMap(Optional::stream).findFirst();
    }

    /** Available restore points of {@code vm}, or of every VM if it is null. */
    public List<RestorePoint> list(String vm) {
        return restorePoints.listAvailable(vm);
    }

    /** A restore point, deleted ones included (their row says when and why). */
    public RestorePoint get(RestorePointId id) {
        return restorePoints.find(id).orElseThrow(() -> ApplianceException.notFound("no restore point " + id));
    }

    /**
     * Removes the restore point's manifest from the store (refused, 409, while it is
     * {@linkplain #pins pinned}; its chunks go at the next GC), then
     * marks its row DELETED. A manifest already missing from the store still gets its row
     * marked: the catalog must not offer what cannot be restored. Audited either way.
     */
    public RestorePoint delete(RestorePointId id, String user) throws StoreException {
        RestorePoint rp = get(id);
        if (rp.status() == RestorePoint.Status.DELETED) {
            throw ApplianceException.conflict("restore point " + id + " is already deleted");
        }
        Optional<String> pin = pins().why(id);
        if (pin.isPresent()) {
            audit.record(user, DELETE_ACTION, id.toString(), AuditEntry.Outcome.FAILED, pin.get());
            throw ApplianceException.conflict("restore point " + id + " is in use: " + pin.get());
        }
        String reason = "deleted by " + user;
        try {
            store.get().delete(id);
        } catch (StoreException e) {
            if (e.kind() != StoreException.Kind.NOT_FOUND) {
                audit.record(user, DELETE_ACTION, id.toString(), AuditEntry.Outcome.FAILED, e.getMessage());
                throw e;
            }
            log.warn("Restore point {} was already missing from the store; marking it deleted", id);
            reason += " (its manifest was already missing from the store)";
        }
        restorePoints.markDeleted(id, reason);
        audit.record(user, DELETE_ACTION, id.toString(), AuditEntry.Outcome.SUCCEEDED, null);
        return get(id);
    }
}
