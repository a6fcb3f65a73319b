package io.lifeboat.appliance.api;

import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.UUID;

import io.lifeboat.appliance.catalog.AuditEntry;
import io.lifeboat.appliance.catalog.AuditLog;
import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.error.ApplianceException;
import io.lifeboat.appliance.restore.InstantRecoveries;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.RestorePointId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Instant recovery: {@code POST /api/restore-points/{vm}/{time}/instant-recovery} runs a VM on
 * the restore point served over NBD, {@code /api/instant-recoveries} shows the sessions and
 * starts a deferred copy. See docs/api.md, "Instant recovery".
 */
@RestController
@Tag(name = "Instant recovery")
class InstantRecoveryController {

    private static final String START = "restore-point.instant-recovery";
    private static final String COPY = "instant-recovery.copy";
    private static final String DISCARD = "instant-recovery.discard";
    private static final String STOP = "instant-recovery.stop";

    private final InstantRecoveries recoveries;
    private final RestoreTarget target;
    private final AuditLog audit;

    InstantRecoveryController(InstantRecoveries recoveries, RestoreTarget target, AuditLog audit) {
        this.recoveries = recoveries;
        this.target = target;
        this.audit = audit;
    }

    /**
     * @param name        the recovered VM's name (required)
     * @param newIdentity new UUID and MAC addresses (default true); false keeps the original's
     * @param imageDir    where the final flat images go (default {@code <data-dir>/images})
     * @param bandwidth   limit of the background copy in bytes/s (default 0: none)
     * @param copy        start the background copy and pivot at once (default true)
     * @param uri         libvirt host (default the appliance's default host)
     */
    record InstantBody(String name, Boolean newIdentity, String imageDir, Long bandwidth, Boolean copy, String uri) {
    }

    /** What a started instant recovery answers. */
    record Started(UUID jobId, InstantRecoveryView session) {
    }

    @PostMapping("/api/restore-points/{vm}/{time}/instant-recovery")
    @Operation(summary = "Run a VM from a restore point at once",
            description = "Serves the restore point's disks over NBD, defines the VM on overlays backed by them and"
                    + " starts it; answers 202 once it runs, with the job that follows the background copy and pivot"
                    + " onto flat images (phases serving, copy vda, ...). 400 bad input or no VM definition in the"
                    + " restore point, 404 unknown restore point or host, or chunks missing, 409 name or image taken.")
    @ApiResponse(responseCode = "202", description = "the VM runs; the job follows the copy and pivot",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = Started.class)))
    @ApiResponse(responseCode = "400", description = "bad input, or no VM definition in the restore point",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "404", description = "unknown restore point or host, or chunks missing from the store",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "409", description = "the VM name or an image file is taken",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemDetail.class)))
    ResponseEntity<Started> start(@PathVariable String vm, @PathVariable String time,
                                  @RequestBody(required = false) InstantBody body, Principal user) throws StoreException {
        RestorePointId id = RestoreTarget.restorePoint(vm, time);
        if (body == null || body.name() == null || body.name().isBlank()) {
            throw ApplianceException.badRequest("name is required: the recovered VM's name");
        }
        InstantRecoveries.Order order = new InstantRecoveries.Order(id, body.name(), !Boolean.FALSE.equals(body.newIdentity()),
                RestoreTarget.directory("imageDir", body.imageDir()), target.uri(body.uri()),
                body.bandwidth() == null ? 0 : body.bandwidth(), !Boolean.FALSE.equals(body.copy()));
        InstantRecoveries.Started started;
        try {
            started = recoveries.start(order);
        } catch (StoreException | RuntimeException e) {
            audit.record(user.getName(), START, id.toString(), AuditEntry.Outcome.FAILED, e.getMessage());
            throw e;
        }
        audit.record(user.getName(), START, id.toString(), AuditEntry.Outcome.SUCCEEDED, "as " + order.vmName()
                + " on " + order.uri() + ", session " + started.session().id() + ", job " + started.job().id());
        return ResponseEntity.accepted().location(URI.create("/api/instant-recoveries/" + started.session().id()))
                .body(new Started(started.job().id(), InstantRecoveryView.of(recoveries.get(started.session().id()))));
    }

    @GetMapping("/api/instant-recoveries")
    @Operation(summary = "List instant recovery sessions", description = "Oldest first, finished ones too.")
    List<InstantRecoveryView> list() throws StoreException {
        return recoveries.list().stream().map(InstantRecoveryView::of).toList();
    }

    @GetMapping("/api/instant-recoveries/{id}")
    @Operation(summary = "Show an instant recovery session")
    InstantRecoveryView show(@PathVariable String id) throws StoreException {
        return InstantRecoveryView.of(recoveries.get(id));
    }

    @PostMapping("/api/instant-recoveries/{id}/stop")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Stop an instant recovery, VM and all",
            description = "For a recovery not wanted any more (a DR drill that has been checked): its VM is destroyed"
                    + " and undefined, throwing away what the guest wrote; its export stops; the session goes and its"
                    + " job ends CANCELLED. 204; 409 once pivoted (the VM is then an ordinary VM) or while the copy runs.")
    void stop(@PathVariable String id, Principal user) throws StoreException {
        audit.audited(user.getName(), STOP, id, null, () -> {
            recoveries.stop(id);
            return null;
        });
    }

    @DeleteMapping("/api/instant-recoveries/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Discard a finished session",
            description = "Removes a session no VM needs any more: pivoted, or failed with its VM gone or no longer on"
                    + " its overlays. Its restore point is then no longer held. 204; 409 while it is served or copied or"
                    + " a VM still runs on its overlays.")
    void discard(@PathVariable String id, Principal user) throws StoreException {
        audit.audited(user.getName(), DISCARD, id, null, () -> {
            recoveries.discard(id);
            return null;
        });
    }

    /** What a started copy answers. */
    record CopyStarted(UUID jobId) {
    }

    @PostMapping("/api/instant-recoveries/{id}/copy")
    @Operation(summary = "Start the copy and pivot of a session",
            description = "For a session started with copy=false, or whose copy failed. 202 with the job; 409 when it"
                    + " is already copying, pivoted or not served by this appliance.")
    @ApiResponse(responseCode = "202", description = "the copy job started; follow it at the Location, /api/jobs/{id}",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = CopyStarted.class)))
    @ApiResponse(responseCode = "404", description = "no such session",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "409", description = "already copying, pivoted, or not served by this appliance",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemDetail.class)))
    ResponseEntity<CopyStarted> copy(@PathVariable String id, Principal user) throws StoreException {
        Job job = audit.audited(user.getName(), COPY, id, null, () -> recoveries.copy(id));
        return ResponseEntity.accepted().location(URI.create("/api/jobs/" + job.id())).body(new CopyStarted(job.id()));
    }
}
