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
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** {@code /api/jobs}: long operations, their state and progress (phase, bytes done of total). */
@RestController
@RequestMapping("/api/jobs")
@Tag(name = "Jobs")
class JobController {

    private final JobRepository jobs;
    private final BackupJobs backups;
    private final RestoreJobs restores;
    private final AuditLog audit;
    private final JobEventStream events;

    JobController(JobRepository jobs, BackupJobs backups, RestoreJobs restores, AuditLog audit, JobEventStream events) {
        this.jobs = jobs;
        this.backups = backups;
        this.restores = restores;
        this.audit = audit;
        this.events = events;
    }

    @GetMapping
    @Operation(summary = "List jobs", description = "Most recent first; the filters combine.")
    List<Job> list(@Parameter(description = "only jobs in this state") @RequestParam(required = false) Job.State state,
                   @Parameter(description = "only jobs of this kind") @RequestParam(required = false) Job.Kind kind,
                   @Parameter(description = "only jobs of this VM") @RequestParam(required = false) String vm,
                   @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
        return jobs.list(state, kind, vm == null || vm.isBlank() ? null : vm, limit);
    }

    @GetMapping("/{id}/log")
    @Operation(summary = "A job's log",
            description = "One line when the job was queued, started, entered a new phase and ended, in that order:"
                    + " `{time, event, detail}` with event QUEUED, RUNNING, PHASE (detail: the phase), SUCCEEDED (detail:"
                    + " the restore point a backup produced, else null), FAILED or CANCELLED (detail: why). The job's"
                    + " result (summary, error, restore point) is GET /api/jobs/{id}. 400 not a job id, 404 no such job,"
                    + " 409 a prefix of several jobs' ids.")
    List<JobRepository.LogLine> log(@Parameter(description = JOB_ID) @PathVariable String id) {
        return jobs.log(job(id).id());
    }

    @GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Follow jobs as they change (server-sent events)",
            description = "A text/event-stream. First one event `snapshot`: a JSON array of the jobs running or queued"
                    + " now (with `job`, an array of that one job, whatever its state). Then one event `job` with the"
                    + " job's JSON, as GET /api/jobs/{id} answers it, each time a job changes state or its progress"
                    + " (phase, bytes done, bytes total) advances: at most about 4 events a second per job, and always"
                    + " its final state; a stream following one job ends after that job's final state (close the"
                    + " EventSource then, or it reconnects and gets the final state again). A comment line every 15 s keeps proxies from closing the connection; the"
                    + " server ends a stream after 30 minutes (an EventSource reconnects). Only jobs this appliance"
                    + " runs are followed: jobs run by another appliance on a shared catalog are not sent (poll"
                    + " GET /api/jobs for them). 400 a malformed job id, 404 an unknown job, 409 an ambiguous one.")
    SseEmitter events(@Parameter(description = "follow only this job (its id, or a unique prefix of 8 hex digits or more)")
                      @RequestParam(required = false) String job) {
        return events.subscribe(job == null ? null : job(job).id());
    }

    @GetMapping("/{id}")
    @Operation(summary = "Show a job and its progress",
            description = "The id is the whole UUID or a prefix of it with at least 8 hex digits that only this job's"
                    + " id starts with. A finished backup has its `summary` (bytes read, new bytes before"
                    + " compression, bytes stored, duration); every other job's is null. 400 not a job id, 404 no such"
                    + " job, 409 a prefix of several jobs' ids (the message names them).")
    Job show(@Parameter(description = JOB_ID) @PathVariable String id) {
        return job(id);
    }

    static final String JOB_ID = "the job's UUID, or a unique prefix of it of at least 8 hex digits";

    private Job job(String id) {
        UUID uuid = jobs.resolve(id);
        return jobs.find(uuid).orElseThrow(() -> ApplianceException.notFound("no job " + id));
    }

    @PostMapping("/{id}/cancel")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Cancel a running job",
            description = "The job stops at its next step and ends CANCELLED (a backup already committing its restore"
                    + " point finishes). Answers the job as it is now. 409: a job that has ended, a restore already"
                    + " moving its disks into place (it finishes), an instant recovery job, a prefix of several jobs'"
                    + " ids; 400 not a job id; 404 no such job.")
    Job cancel(@Parameter(description = JOB_ID) @PathVariable("id") String given, Principal user) {
        return audit.audited(user.getName(), "job.cancel", given, null, () -> {
            Job job = job(given);
            UUID id = job.id();
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
