package io.lifeboat.appliance.api;

import java.net.URI;
import java.security.Principal;
import java.util.UUID;
import java.util.function.Supplier;

import io.lifeboat.appliance.catalog.AuditEntry;
import io.lifeboat.appliance.catalog.AuditLog;
import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.jobs.StoreJobs;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/store}: verify and GC of the chunk store on demand, as jobs followed at {@code /api/jobs/{id}}. */
@RestController
@RequestMapping("/api/store")
@Tag(name = "Store")
class StoreController {

    private final StoreJobs store;
    private final AuditLog audit;

    StoreController(StoreJobs store, AuditLog audit) {
        this.store = store;
        this.audit = audit;
    }

    record Started(UUID jobId) {
    }

    @PostMapping("/verify")
    @Operation(summary = "Verify the store now",
            description = "Re-reads every pack and checks every chunk's digest. 202 with the job id (follow it at"
                    + " /api/jobs/{id}); a job of kind VERIFY, FAILED saying what is damaged if anything is. 409 while"
                    + " a verify or GC runs.")
    @ApiResponse(responseCode = "202", description = "the verify job started; follow it at the Location, /api/jobs/{id}",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = Started.class)))
    @ApiResponse(responseCode = "409", description = "a verify or GC runs",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemDetail.class)))
    ResponseEntity<Started> verify(Principal user) {
        return started(user, "store.verify", () -> store.verify().job());
    }

    @PostMapping("/gc")
    @Operation(summary = "Collect the store's garbage now",
            description = "Removes chunks no restore point names, deletes packs left empty and repacks those whose live"
                    + " bytes fall below repackBelow. 202 with the job id (follow it at /api/jobs/{id}); a job of kind"
                    + " GC. 409 while a verify or GC runs; 400 for a repackBelow outside 0 to 1.")
    @ApiResponse(responseCode = "202", description = "the GC job started; follow it at the Location, /api/jobs/{id}",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = Started.class)))
    @ApiResponse(responseCode = "400", description = "repackBelow outside 0 to 1",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "409", description = "a verify or GC runs",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemDetail.class)))
    ResponseEntity<Started> gc(@Parameter(description = "repack a pack whose live bytes are below this share of it")
                               @RequestParam(defaultValue = "" + StoreJobs.REPACK_BELOW) double repackBelow,
                               Principal user) {
        return started(user, "store.gc", () -> store.gc(repackBelow).job());
    }

    private ResponseEntity<Started> started(Principal user, String action, Supplier<Job> start) {
        Job job;
        try {
            job = start.get();
        } catch (RuntimeException e) {
            audit.record(user.getName(), action, "store", AuditEntry.Outcome.FAILED, e.getMessage());
            throw e;
        }
        audit.record(user.getName(), action, "store", AuditEntry.Outcome.SUCCEEDED, "job " + job.id());
        return ResponseEntity.accepted().location(URI.create("/api/jobs/" + job.id())).body(new Started(job.id()));
    }
}
