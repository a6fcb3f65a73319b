package io.lifeboat.appliance.api;

import java.util.List;
import java.util.UUID;

import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.catalog.JobRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/jobs}: long operations, their state and progress (phase, bytes done of total). */
@RestController
@RequestMapping("/api/jobs")
@Tag(name = "Jobs")
class JobController {

    private final JobRepository jobs;

    JobController(JobRepository jobs) {
        this.jobs = jobs;
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
        return jobs.find(id).orElseThrow(() -> new NotFoundException("no job " + id));
    }
}
