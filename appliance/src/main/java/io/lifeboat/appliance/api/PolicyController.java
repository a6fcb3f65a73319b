package io.lifeboat.appliance.api;

import java.net.URI;
import java.security.Principal;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.lifeboat.appliance.catalog.AuditLog;
import io.lifeboat.appliance.catalog.Timestamps;
import io.lifeboat.appliance.error.ApplianceException;
import io.lifeboat.appliance.policy.Policies;
import io.lifeboat.appliance.policy.PolicyDocument;
import io.lifeboat.appliance.policy.PolicyRepository;
import io.lifeboat.appliance.policy.PolicyRun;
import io.lifeboat.appliance.policy.PolicyVms;
import io.lifeboat.appliance.policy.RetentionPrune;
import io.lifeboat.scheduler.policy.BackupPolicy;
import io.lifeboat.scheduler.policy.CronSchedule;
import io.lifeboat.scheduler.policy.ScheduleKind;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.quartz.SchedulerException;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/policies}: scheduled backup policies, their runs, and a retention dry-run. */
@RestController
@RequestMapping("/api/policies")
@Tag(name = "Policies")
class PolicyController {

    private static final int NEXT_FIRE_TIMES = 5;
    private static final int RECENT_RUNS = 20;

    private final Policies policies;
    private final PolicyVms vms;
    private final RetentionPrune prune;
    private final AuditLog audit;

    PolicyController(Policies policies, PolicyVms vms, RetentionPrune prune, AuditLog audit) {
        this.policies = policies;
        this.vms = vms;
        this.prune = prune;
        this.audit = audit;
    }

    @GetMapping
    @Operation(summary = "List policies", description = "With each schedule's next fire times.")
    List<PolicyView> list() {
        return policies.list().stream().map(s -> PolicyView.of(s, next(s), List.of(), List.of())).toList();
    }

    @PostMapping
    @Operation(summary = "Create a policy", description = "201 with the policy and warnings (a selection that matches"
            + " no VM now is a warning, not an error); 400 listing every invalid field; 409 if the name exists.")
    ResponseEntity<PolicyView> create(@RequestBody PolicyDocument doc, Principal user) throws SchedulerException {
        String target = doc.name() == null ? "" : doc.name();
        Policies.Saved saved = audit.audited(user.getName(), "policy.create", target, null, () -> policies.create(doc));
        return ResponseEntity.created(URI.create("/api/policies/" + saved.stored().policy().name()))
                .body(PolicyView.of(saved.stored(), next(saved.stored()), List.of(), saved.warnings()));
    }

    @GetMapping("/{name}")
    @Operation(summary = "Show a policy", description = "Its definition, next fire times and most recent runs.")
    PolicyView show(@PathVariable String name) {
        PolicyRepository.Stored s = policies.get(name);
        return PolicyView.of(s, next(s), policies.runs(name, RECENT_RUNS), List.of());
    }

    @PutMapping("/{name}")
    @Operation(summary = "Change a policy", description = "The whole definition; the name is the URL's. 400 as for create.")
    PolicyView update(@PathVariable String name, @RequestBody PolicyDocument doc, Principal user) throws SchedulerException {
        Policies.Saved saved = audit.audited(user.getName(), "policy.update", name, null, () -> policies.update(name, doc));
        return PolicyView.of(saved.stored(), next(saved.stored()), List.of(), saved.warnings());
    }

    @DeleteMapping("/{name}")
    @Operation(summary = "Delete a policy", description = "Its schedules stop; its restore points stay.")
    ResponseEntity<Void> delete(@PathVariable String name, Principal user) throws SchedulerException {
        audit.audited(user.getName(), "policy.delete", name, null, () -> {
            policies.delete(name);
            return null;
        });
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/{name}/pause")
    @Operation(summary = "Pause a policy's schedules")
    PolicyView pause(@PathVariable String name, Principal user) throws SchedulerException {
        PolicyRepository.Stored s = audit.audited(user.getName(), "policy.pause", name, null, () -> policies.pause(name));
        return PolicyView.of(s, next(s), List.of(), List.of());
    }

    @PostMapping("/{name}/resume")
    @Operation(summary = "Resume a policy's schedules", description = "Fire times missed while paused are not run.")
    PolicyView resume(@PathVariable String name, Principal user) throws SchedulerException {
        PolicyRepository.Stored s = audit.audited(user.getName(), "policy.resume", name, null, () -> policies.resume(name));
        return PolicyView.of(s, next(s), List.of(), List.of());
    }

    /** What run-now answers: the run is recorded in the policy's runs once an appliance picks it up. */
    record RunRequested(String policy, String kind) {
    }

    @PostMapping("/{name}/run")
    @Operation(summary = "Run a policy's schedule now", description = "kind = backup (default), verify or gc. 202; the"
            + " run appears in GET /api/policies/{name}. A backup run now ignores the window.")
    @ApiResponse(responseCode = "202", description = "the run is requested; it appears in the policy's runs once an appliance picks it up",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = RunRequested.class)))
    @ApiResponse(responseCode = "400", description = "kind is not backup, verify or gc",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "404", description = "no such policy",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemDetail.class)))
    ResponseEntity<RunRequested> runNow(@PathVariable String name, @RequestParam(defaultValue = "backup") String kind,
                                        Principal user) throws SchedulerException {
        ScheduleKind k;
        try {
            k = ScheduleKind.valueOf(kind.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApplianceException.badRequest("kind must be backup, verify or gc, not '" + kind + "'");
        }
        audit.audited(user.getName(), "policy.run", name, kind, () -> {
            policies.runNow(name, k);
            return null;
        });
        return ResponseEntity.accepted().body(new RunRequested(name, k.name()));
    }

    /** One restore point in a prune dry-run. */
    record PruneEntry(String restorePoint, String vm, java.time.Instant time, boolean keep, String mark,
                      String period, int rank, String reason) {
    }

    @GetMapping("/{name}/prune-preview")
    @Operation(summary = "Retention dry-run", description = "Every available restore point of the selected VMs, newest"
            + " first per VM: whether retention keeps it, and which rule (keep-daily (2026-11-27), remove, ...).")
    List<PruneEntry> prunePreview(@PathVariable String name) {
        BackupPolicy policy = policies.get(name).policy();
        return prune.preview(policy, vms.toPrune(policy)).stream()
                .flatMap(p -> p.plan().decisions().stream())
                .map(d -> new PruneEntry(d.item().id().toString(), d.item().vm(), d.time(), d.keep(),
                        d.mark().label(), d.period(), d.rank(), d.describe()))
                .toList();
    }

    private static Map<String, List<ZonedDateTime>> next(PolicyRepository.Stored s) {
        Map<String, List<ZonedDateTime>> next = new LinkedHashMap<>();
        BackupPolicy p = s.policy();
        next.put("backup", s.paused() ? List.of() : fire(p.schedule()));
        p.verifySchedule().ifPresent(c -> next.put("verify", s.paused() ? List.of() : fire(c)));
        p.gcSchedule().ifPresent(c -> next.put("gc", s.paused() ? List.of() : fire(c)));
        return next;
    }

    private static List<ZonedDateTime> fire(CronSchedule c) {
        return c.nextFireTimes(NEXT_FIRE_TIMES, Timestamps.now());
    }
}
