package io.lifeboat.appliance.api;

import java.security.Principal;
import java.util.List;
import java.util.UUID;

import io.lifeboat.appliance.catalog.AuditLog;
import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.catalog.JobRepository;
import io.lifeboat.appliance.error.ApplianceException;
import io.lifeboat.appliance.jobs.BackupJobs;
import io.lifeboat.appliance.restore.RestoreJobs;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/jobs}: long operations, their state and progress (phase, bytes done of total). */
@RestController
@RequestMapping("/api/jobs")
@Tag(name = "Jobs")
class JobController {

    private final JobRepository jobs;
    private final BackupJobs backups;
    private final RestoreJobs restores;
    private final AuditLog audit;

    JobController(JobRepository jobs, BackupJobs backups, RestoreJobs restores, AuditLog audit) {
        this.jobs = jobs;
        this.backups = backups;
        this.restores = restores;
        this.audit = audit;
    }

    @GetMapping
    @Operation(summary = "List jobs", description = "Most recent first.")
    List<Job> list(@Parameter(description = "only jobs in this state") @RequestParam(required = false) Job.State state,
                   @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
        return jobs.list(state, limit);
    }

    @GetMapping("/{id}")
    @Operation(summary = "Show a job and its progress")
    Job show(@PathVariable UUID id) {
        return jobs.find(id).orElseThrow(() -> ApplianceException.notFound("no job " + id));
    }

    @PostMapping("/{id}/cancel")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Cancel a running job",
            description = "The job stops at its next step and ends CANCELLED (a backup already committing its restore"
                    + " point finishes). Answers the job as it is now. 409: a job that has ended, a restore already"
                    + " moving its disks into place (it finishes), an instant recovery job.")
    Job cancel(@PathVariable UUID id, Principal user) {
        return audit.audited(user.getName(), "job.cancel", id.toString(), null, () -> {
            Job job = jobs.find(id).orElseThrow(() -> ApplianceException.notFound("no job " + id));
            return switch (job.kind()) {
                case RESTORE -> restores.cancel(id);
                case INSTANT_RECOVERY -> throw ApplianceException.conflict("job " + id + " follows an instant recovery and"
                        + " cannot be cancelled: the VM already runs on the restore point, and the copy onto flat"
                        + " images only moves it off; see GET /api/instant-recoveries, and end the recovery, VM and"
                        + " all, through POST /api/instant-recoveries/{id}/stop");
                default -> backups.cancel(id);
            };
        });
    }
}
