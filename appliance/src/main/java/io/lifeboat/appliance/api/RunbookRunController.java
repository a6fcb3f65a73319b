package io.lifeboat.appliance.api;

import java.net.URI;
import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.lifeboat.appliance.catalog.AuditLog;
import io.lifeboat.appliance.runbook.RunbookRuns;
import io.lifeboat.restore.RestoreException;
import io.lifeboat.restore.runbook.Durations;
import io.lifeboat.restore.runbook.Readiness;
import io.lifeboat.restore.runbook.RunRecord;
import io.lifeboat.restore.runbook.RunReport;
import io.lifeboat.restore.runbook.RunbookRunner;
import io.lifeboat.store.StoreException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Runbook runs: the readiness check, test failovers and failovers of stored runbooks, and their
 * runs ({@code /api/runbook-runs}) with each step, the report (JSON and HTML, RTO and RPO per VM),
 * resume, cancel (undo) and cleanup. See docs/api.md, "Runbook runs", and docs/runbooks.md.
 */
@RestController
@Tag(name = "Runbook runs")
class RunbookRunController {

    private final RunbookRuns runs;
    private final AuditLog audit;

    RunbookRunController(RunbookRuns runs, AuditLog audit) {
        this.runs = runs;
        this.audit = audit;
    }

    /**
     * @param kind        test (an isolated drill), failover, or failback (home to the primary; approve
     *                    {@code cutover} up front, or resume with it once the VMs are synced)
     * @param ttl         a test run is cleaned up this long after it started (90s, 2h; default: only on demand)
     * @param primaryLost a failover goes on when the primary does not answer
     * @param approve     groups whose approval is given up front
     */
    record StartRequest(String kind, String ttl, Boolean primaryLost, List<String> approve) {
    }

    /** @param approve approvals given now; {@code primaryLost} declares the primary lost */
    record ResumeRequest(List<String> approve, Boolean primaryLost) {
    }

    @PostMapping("/api/runbooks/{name}/readiness")
    @Operation(summary = "Readiness check of a runbook",
            description = "For each VM: restore point present and whole, target host reachable, name free, room for its"
                    + " disks, memory, networks, and what its primary says. Nothing is started. kind: failover (default) or"
                    + " test.")
    Readiness readiness(@PathVariable String name, @RequestParam(defaultValue = "failover") String kind)
            throws StoreException {
        return runs.readiness(name, kind(kind));
    }

    @PostMapping("/api/runbooks/{name}/runs")
    @Operation(summary = "Start a test failover or a failover",
            description = "202 with the run (Location /api/runbook-runs/{id}); it goes on in the background. 400 a bad kind"
                    + " or ttl, 404 no such runbook.")
    ResponseEntity<Map<String, Object>> start(@PathVariable String name, @RequestBody StartRequest body, Principal user)
            throws StoreException {
        RunRecord.Kind kind = kind(body.kind());
        Duration ttl = ttl(body.ttl(), kind);
        RunbookRunner.Options options = new RunbookRunner.Options(ttl, Boolean.TRUE.equals(body.primaryLost()),
                body.approve() == null ? Set.of() : Set.copyOf(body.approve()));
        RunRecord run = audit.audited(user.getName(), "runbook." + kind.name().toLowerCase(Locale.ROOT), name, null,
                () -> runs.start(name, kind, options));
        return ResponseEntity.accepted().location(URI.create("/api/runbook-runs/" + run.id)).body(RunReport.json(run));
    }

    @GetMapping("/api/runbook-runs")
    @Operation(summary = "Runbook runs", description = "Every run, oldest first, each as its report.")
    List<Map<String, Object>> list() throws StoreException {
        return runs.list().stream().map(RunReport::json).toList();
    }

    @GetMapping("/api/runbook-runs/{id}")
    @Operation(summary = "A run and its report",
            description = "State, each step's start, end, outcome and detail, each VM's restore point and RPO, the RTO.")
    Map<String, Object> show(@PathVariable String id) throws StoreException {
        return RunReport.json(runs.get(id));
    }

    @GetMapping(path = "/api/runbook-runs/{id}/report", produces = MediaType.TEXT_HTML_VALUE)
    @Operation(summary = "A run's report as an HTML page")
    String html(@PathVariable String id) throws StoreException {
        return RunReport.html(runs.get(id));
    }

    @PostMapping("/api/runbook-runs/{id}/resume")
    @Operation(summary = "Resume a halted or waiting run",
            description = "202: it goes on from the step that did not pass, with the approvals given. 409 a run that is done.")
    ResponseEntity<Map<String, Object>> resume(@PathVariable String id, @RequestBody(required = false) ResumeRequest body,
                                               Principal user) throws StoreException {
        ResumeRequest b = body == null ? new ResumeRequest(List.of(), false) : body;
        RunbookRunner.Options options = new RunbookRunner.Options(null, Boolean.TRUE.equals(b.primaryLost()),
                b.approve() == null ? Set.of() : Set.copyOf(b.approve()));
        RunRecord run = audit.audited(user.getName(), "runbook.resume", id, b.approve() == null ? null
                : "approved " + String.join(", ", b.approve()), () -> runs.resume(id, options));
        return ResponseEntity.accepted().body(RunReport.json(run));
    }

    @PostMapping("/api/runbook-runs/{id}/cancel")
    @Operation(summary = "Cancel a run and undo it",
            description = "Every VM it started is removed with its disks, the primaries it shut down start again, a test"
                    + " run's network goes. 409 while it runs.")
    Map<String, Object> cancel(@PathVariable String id, Principal user) throws StoreException {
        return RunReport.json(audit.audited(user.getName(), "runbook.cancel", id, null, () -> runs.cancel(id)));
    }

    @PostMapping("/api/runbook-runs/{id}/cleanup")
    @Operation(summary = "Clean up a test run", description = "Its VMs, their disks and its network are removed; the record stays.")
    Map<String, Object> cleanup(@PathVariable String id, Principal user) throws StoreException {
        return RunReport.json(audit.audited(user.getName(), "runbook.cleanup", id, null, () -> runs.cleanup(id)));
    }

    private static RunRecord.Kind kind(String kind) throws RestoreException {
        if ("test".equals(kind)) {
            return RunRecord.Kind.TEST;
        }
        if (kind == null || "failover".equals(kind)) {
            return RunRecord.Kind.FAILOVER;
        }
        if ("failback".equals(kind)) {
            return RunRecord.Kind.FAILBACK;
        }
        throw RestoreException.badInput("kind '" + kind + "': test, failover or failback");
    }

    private static Duration ttl(String ttl, RunRecord.Kind kind) throws RestoreException {
        if (ttl == null) {
            return null;
        }
        if (kind != RunRecord.Kind.TEST) {
            throw RestoreException.badInput("ttl is for test runs; a failover's VMs stay");
        }
        try {
            return Durations.parse(ttl);
        } catch (IllegalArgumentException e) {
            throw RestoreException.badInput("ttl " + e.getMessage());
        }
    }
}
