package io.lifeboat.appliance.api;

import java.net.URI;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.lifeboat.appliance.catalog.AuditEntry;
import io.lifeboat.appliance.catalog.AuditLog;
import io.lifeboat.appliance.catalog.JobRepository;
import io.lifeboat.appliance.error.ApplianceException;
import io.lifeboat.appliance.restore.RestoreJobs;
import io.lifeboat.appliance.restore.RestoreRun;
import io.lifeboat.appliance.restore.RestoreRuns;
import io.lifeboat.restore.DiskFormat;
import io.lifeboat.restore.NetworkMapping;
import io.lifeboat.restore.RestoreMode;
import io.lifeboat.restore.RestorePlan;
import io.lifeboat.restore.RestoreRequest;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.RestorePointId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/restore-points/{vm}/{time}/restore}: restores a restore point as a VM (new,
 * clone, over the original) or as disk images, as a job; {@code GET /api/jobs/{id}/restore} shows
 * what such a job restores and made. See docs/api.md, "Restore".
 */
@RestController
@Tag(name = "Restore")
class RestoreController {

    private static final String ACTION = "restore-point.restore";

    private final RestoreJobs restores;
    private final RestoreRuns runs;
    private final RestoreTarget target;
    private final AuditLog audit;
    private final JobRepository jobs;

    RestoreController(RestoreJobs restores, RestoreRuns runs, RestoreTarget target, AuditLog audit, JobRepository jobs) {
        this.restores = restores;
        this.runs = runs;
        this.target = target;
        this.audit = audit;
        this.jobs = jobs;
    }

    /**
     * The request body; every field may be left out.
     *
     * @param mode      {@code new} (default), {@code clone} or {@code over-original}
     * @param networks  {@code old=new} network names
     * @param disks     only these disks (images only, no VM defined); all when empty
     */
    record RestoreBody(String mode, String name, String format, String directory, String pool, List<String> networks,
                       List<String> disks, Boolean start, Boolean overwrite, String uri) {
    }

    /** What a started restore answers: the job, and the plan it follows. */
    record Started(UUID jobId, PlanView plan) {
    }

    /** A checked restore: what would be (or is being) written and defined. */
    record PlanView(String restorePoint, String mode, String name, String uuid, String uri, Map<String, String> disks,
                    boolean definesVm, boolean replacesVm, List<String> macs, String pool, List<String> notes,
                    String domainXml) {

        static PlanView of(RestorePlan plan) {
            Map<String, String> disks = new LinkedHashMap<>();
            plan.diskFiles().forEach((d, f) -> disks.put(d, f.toString()));
            RestoreRequest r = plan.request();
            return new PlanView(r.restorePoint().toString(), RestoreController.mode(r.mode()), plan.name(), plan.uuid(), r.uri(), disks,
                    plan.definesVm(), plan.replacesVm(), plan.macs(), plan.pool(), plan.notes(), plan.domainXml());
        }

        /** The job plans again and picks the UUID and MACs then: a started restore does not show these. */
        PlanView withoutIdentity() {
            return new PlanView(restorePoint, mode, name, null, uri, disks, definesVm, replacesVm, List.of(), pool, notes,
                    null);
        }
    }

    @PostMapping("/api/restore-points/{vm}/{time}/restore")
    @Operation(summary = "Restore a restore point",
            description = "Checks everything first (nothing is written if the request is refused): 400 bad input,"
                    + " 404 unknown restore point, disk, pool or host, or chunks missing from the store, 409 a VM or"
                    + " file in the way without overwrite, or the original running. Then 202 with the job id; follow"
                    + " it at /api/jobs/{id}, its result at /api/jobs/{id}/restore. With dryRun=true, 200 with the"
                    + " plan and nothing done.")
    @ApiResponse(responseCode = "200", description = "dryRun=true: the plan; nothing was done",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = PlanView.class)))
    @ApiResponse(responseCode = "202", description = "the restore job started; follow it at the Location, /api/jobs/{id}",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = Started.class)))
    @ApiResponse(responseCode = "400", description = "bad input: mode, format, name, networks, disks, directory",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "404", description = "unknown restore point, disk, pool or host, or chunks missing from the store",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "409", description = "a VM or file in the way without overwrite, or the original VM running",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemDetail.class)))
    ResponseEntity<?> restore(@PathVariable String vm, @PathVariable String time,
                              @Parameter(description = "only check and answer the plan")
                              @RequestParam(defaultValue = "false") boolean dryRun,
                              @RequestBody(required = false) RestoreBody body, Principal user) throws StoreException {
        RestorePointId id = RestoreTarget.restorePoint(vm, time);
        RestoreRequest request = request(id, body == null ? new RestoreBody(null, null, null, null, null, null, null,
                null, null, null) : body);
        if (dryRun) {
            return ResponseEntity.ok(PlanView.of(restores.plan(request)));
        }
        RestoreJobs.Started started;
        try {
            started = restores.start(request);
        } catch (StoreException | RuntimeException e) {
            audit.record(user.getName(), ACTION, id.toString(), AuditEntry.Outcome.FAILED, e.getMessage());
            throw e;
        }
        RestorePlan plan = started.plan();
        audit.record(user.getName(), ACTION, id.toString(), AuditEntry.Outcome.SUCCEEDED,
                mode(request.mode()) + " as " + plan.name() + " on " + request.uri() + ", job " + started.job().id());
        return ResponseEntity.accepted().location(URI.create("/api/jobs/" + started.job().id()))
                .body(new Started(started.job().id(), PlanView.of(plan).withoutIdentity()));
    }

    @GetMapping("/api/jobs/{id}/restore")
    @Operation(summary = "What a restore or instant recovery job restores",
            description = "The restore point, mode, VM name, UUID, host and disk files; once the job succeeded, whether"
                    + " the VM was defined and started, and notes. The id may be a unique prefix of at least 8 hex"
                    + " digits. 400 not a job id, 404 no such job or one that is not a restore, 409 an ambiguous prefix.")
    RestoreRun result(@Parameter(description = JobController.JOB_ID) @PathVariable("id") String given) {
        UUID id = jobs.resolve(given);
        return runs.find(id).orElseThrow(() -> ApplianceException.notFound("job " + id + " is not a restore or instant recovery"));
    }

    private RestoreRequest request(RestorePointId id, RestoreBody b) throws StoreException {
        return RestoreRequest.of(id, RestoreTarget.directory("directory", b.directory()))
                .withUri(target.uri(b.uri()))
                .withMode(mode(b.mode()))
                .withName(b.name() == null || b.name().isBlank() ? null : b.name())
                .withFormat(b.format() == null ? DiskFormat.QCOW2 : DiskFormat.parse(b.format()))
                .withStoragePool(b.pool() == null || b.pool().isBlank() ? null : b.pool())
                .withNetworks(b.networks() == null ? NetworkMapping.none() : NetworkMapping.parse(b.networks()))
                .withDisks(b.disks())
                .withStart(Boolean.TRUE.equals(b.start()))
                .withOverwrite(Boolean.TRUE.equals(b.overwrite()));
    }

    private static RestoreMode mode(String mode) {
        if (mode == null || mode.isBlank()) {
            return RestoreMode.NEW_VM;
        }
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "new" -> RestoreMode.NEW_VM;
            case "clone" -> RestoreMode.CLONE;
            case "over-original" -> RestoreMode.OVER_ORIGINAL;
            default -> throw ApplianceException.badRequest("unknown restore mode '" + mode + "': use new, clone or over-original");
        };
    }

    static String mode(RestoreMode mode) {
        return switch (mode) {
            case NEW_VM -> "new";
            case CLONE -> "clone";
            case OVER_ORIGINAL -> "over-original";
        };
    }
}
