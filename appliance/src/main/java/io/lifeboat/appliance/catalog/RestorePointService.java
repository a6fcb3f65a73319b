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
    static final String UPDATE_ACTION = "restore-point.update";

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
     * marks its row DELETED. A protected restore point is refused (409) and kept. A manifest already missing from the store still gets its row
     * marked: the catalog must not offer what cannot be restored. Audited either way.
     */
    public RestorePoint delete(RestorePointId id, String user) throws StoreException {
        RestorePoint rp = get(id);
        if (rp.status() == RestorePoint.Status.DELETED) {
            throw ApplianceException.conflict("restore point " + id + " is already deleted");
        }
        if (rp.isProtected()) {
            String why = "restore point " + id + " is protected; unprotect it first"
                    + " (PATCH /api/restore-points/" + id + " with {\"protected\": false})";
            audit.record(user, DELETE_ACTION, id.toString(), AuditEntry.Outcome.FAILED, why);
            throw ApplianceException.conflict(why);
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

    /**
     * Protects or unprotects an available restore point and sets its notes; a null argument
     * leaves that mark as it is, empty notes clear them. 400 for notes longer than
     * {@value RestorePoint#MAX_NOTES} characters, 404 unknown, 409 deleted. Audited.
     */
    public RestorePoint update(RestorePointId id, Boolean isProtected, String notes, String user) {
        RestorePoint rp = get(id);
        String target = id.toString();
        if (notes != null && notes.length() > RestorePoint.MAX_NOTES) {
            String why = "notes must be at most " + RestorePoint.MAX_NOTES + " characters, not " + notes.length();
            audit.record(user, UPDATE_ACTION, target, AuditEntry.Outcome.FAILED, why);
            throw ApplianceException.badRequest(why);
        }
        if (rp.status() == RestorePoint.Status.DELETED || !restorePoints.updateMarks(id, isProtected, notes)) {
            String why = "restore point " + id + " is deleted";
            audit.record(user, UPDATE_ACTION, target, AuditEntry.Outcome.FAILED, why);
            throw ApplianceException.conflict(why);
        }
        List<String> changed = new java.util.ArrayList<>();
        if (isProtected != null) {
            changed.add("protected=" + isProtected);
        }
        if (notes != null) {
            changed.add(notes.isEmpty() ? "notes cleared" : "notes set");
        }
        audit.record(user, UPDATE_ACTION, target, AuditEntry.Outcome.SUCCEEDED,
                changed.isEmpty() ? "nothing changed" : String.join(", ", changed));
        return get(id);
    }

    /**
     * What differs between two available restore points of one VM, disk by disk, from their
     * manifests alone. 400 for restore points of two VMs, 404 unknown, 409 deleted.
     */
    public RestorePointDiff diff(RestorePointId from, RestorePointId to) throws StoreException {
        if (!from.vm().equals(to.vm())) {
            throw ApplianceException.badRequest("restore points " + from + " and " + to
                    + " are of different VMs; only two restore points of one VM can be compared");
        }
        for (RestorePointId id : List.of(from, to)) {
            if (get(id).status() == RestorePoint.Status.DELETED) {
                throw ApplianceException.conflict("restore point " + id + " is deleted");
            }
        }
        return RestorePointDiff.of(store.get().manifest(from), store.get().manifest(to));
    }
}
