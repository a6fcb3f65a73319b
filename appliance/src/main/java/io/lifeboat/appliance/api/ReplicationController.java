package io.lifeboat.appliance.api;

import io.lifeboat.appliance.catalog.AuditEntry;
import io.lifeboat.appliance.catalog.AuditLog;
import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.jobs.ReplicationJobs;
import io.lifeboat.store.StoreException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.security.Principal;
import java.util.UUID;

/** Replication of the store to the configured S3 bucket: status with per-VM lag, run now, test the connection. */
@RestController
@RequestMapping("/api/replication")
@Tag(name = "Replication")
class ReplicationController {
    private final ReplicationJobs replication;
    private final AuditLog audit;

    ReplicationController(ReplicationJobs replication, AuditLog audit) {
        this.replication = replication;
        this.audit = audit;
    }

    record Started(UUID jobId) {
    }

    @GetMapping
    @Operation(summary = "Replication settings (without the secret), the running and last run, and per VM the newest"
            + " restore point in the bucket and its age in seconds (the replication lag)")
    ReplicationJobs.Status status() throws StoreException {
        return replication.status();
    }

    @PostMapping
    @Operation(summary = "Replicate now",
            description = "202 with the job id (follow it at /api/jobs/{id}); 409 if a run is going; 422 if not configured.")
    @ApiResponse(responseCode = "202", description = "the replication job started; follow it at the Location, /api/jobs/{id}",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = Started.class)))
    @ApiResponse(responseCode = "409", description = "a replication run is going",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "422", description = "replication is not configured",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemDetail.class)))
    ResponseEntity<Started> start(Principal user) {
        Job job;
        try {
            job = replication.start();
        } catch (RuntimeException e) {
            audit.record(user.getName(), "replication.start", "bucket", AuditEntry.Outcome.FAILED, e.getMessage());
            throw e;
        }
        audit.record(user.getName(), "replication.start", "bucket", AuditEntry.Outcome.SUCCEEDED, "job " + job.id());
        return ResponseEntity.accepted().location(URI.create("/api/jobs/" + job.id())).body(new Started(job.id()));
    }

    @PostMapping("/test")
    @Operation(summary = "Test the connection to the bucket",
            description = "200 with ok and a message saying what is wrong (credentials, bucket, endpoint) or that it works.")
    ReplicationJobs.Check test() {
        return replication.test();
    }
}
