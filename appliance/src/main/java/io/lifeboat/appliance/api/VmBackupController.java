package io.lifeboat.appliance.api;

import java.net.URI;
import java.security.Principal;
import java.util.UUID;

import io.lifeboat.appliance.backup.BackupException;
import io.lifeboat.appliance.catalog.AuditEntry;
import io.lifeboat.appliance.catalog.AuditLog;
import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.error.ApplianceException;
import io.lifeboat.appliance.jobs.BackupJobs;
import io.lifeboat.store.StoreException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /api/vms/{vm}/backups}: starts a backup job; its progress and outcome are at {@code /api/jobs/{id}}. */
@RestController
@RequestMapping("/api/vms/{vm}/backups")
@Tag(name = "VMs")
class VmBackupController {

    private static final String ACTION = "vm.backup";

    private final BackupJobs backups;
    private final HostParameter hosts;
    private final AuditLog audit;

    VmBackupController(BackupJobs backups, HostParameter hosts, AuditLog audit) {
        this.backups = backups;
        this.hosts = hosts;
        this.audit = audit;
    }

    /** What a started backup answers. */
    record Started(UUID jobId) {
    }

    @PostMapping
    @Operation(summary = "Back up a VM",
            description = "Full or incremental, decided by the checkpoint chain. 202 with the job id; follow it at"
                    + " /api/jobs/{id}. 404 unknown VM, 400 VM without disks, 409 a backup of it is already running.")
    @ApiResponse(responseCode = "202", description = "the backup job started, QUEUED; follow it at the Location, /api/jobs/{id}",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = Started.class)))
    @ApiResponse(responseCode = "400", description = "the VM has no disks, or a disk cannot be read as it is",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "404", description = "no such VM",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "409", description = "a backup of the VM is already running",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "422", description = "the host is not the default libvirt host",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemDetail.class)))
    ResponseEntity<Started> backup(@PathVariable String vm, @RequestParam(required = false) String host,
                                   Principal user) throws BackupException, StoreException {
        String uri = hosts.resolve(host);
        if (!hosts.isDefault(uri)) {
            throw ApplianceException.unprocessable("backups run on the default libvirt host only, not " + uri);
        }
        Job job;
        try {
            job = backups.start(vm);
        } catch (BackupException | StoreException | RuntimeException e) {
            audit.record(user.getName(), ACTION, vm, AuditEntry.Outcome.FAILED, e.getMessage());
            throw e;
        }
        audit.record(user.getName(), ACTION, vm, AuditEntry.Outcome.SUCCEEDED,
                VmController.onHost(uri) + ", job " + job.id());
        return ResponseEntity.accepted().location(URI.create("/api/jobs/" + job.id())).body(new Started(job.id()));
    }
}
