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
import io.swagger.v3.oas.annotations.tags.Tag;
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
