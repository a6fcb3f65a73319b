package io.lifeboat.appliance.api;

import java.net.URI;
import java.security.Principal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.lifeboat.appliance.catalog.AuditLog;
import io.lifeboat.appliance.runbook.DrillRun;
import io.lifeboat.appliance.runbook.RunbookDrills;
import io.lifeboat.appliance.runbook.RunbookRepository;
import io.lifeboat.appliance.runbook.Runbooks;
import io.lifeboat.restore.RestoreException;
import io.lifeboat.restore.runbook.Runbook;
import io.lifeboat.restore.runbook.Runbook.Check;
import io.lifeboat.restore.runbook.Runbook.PointChoice;
import io.lifeboat.restore.runbook.RunbookException;
import io.lifeboat.store.StoreException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * DR runbooks ({@code /api/runbooks}): stored as YAML with versions, checked before they are
 * stored (docs/runbooks.md has the schema). See docs/api.md, "Runbooks".
 */
@RestController
@RequestMapping("/api/runbooks")
@Tag(name = "Runbooks")
class RunbookController {

    private final Runbooks runbooks;
    private final RunbookDrills drills;
    private final AuditLog audit;

    RunbookController(Runbooks runbooks, RunbookDrills drills, AuditLog audit) {
        this.runbooks = runbooks;
        this.drills = drills;
        this.audit = audit;
    }

    /** A runbook in the list: its newest version. */
    record Summary(String name, int version, String description, List<String> groups, int vms, Instant created,
                   String createdBy) {
    }

    /**
     * One version of a runbook, and what it says, in run order; {@code yaml} as it was stored;
     * {@code drill} its scheduled drill with the next fire time and the last one's outcome (null:
     * none).
     */
    record RunbookView(String name, int version, String sha256, Instant created, String createdBy, String description,
                       List<GroupView> groups, List<HookView> pre, List<HookView> post, String yaml,
                       RunbookDrills.Status drill) {
    }

    record GroupView(String name, List<String> after, long pauseSeconds, String approval, List<VmView> vms) {
    }

    /**
     * @param point newest-replicated, newest, {@code before <time>} or {@code time <time>}
     * @param mode  instant or restore
     */
    record VmView(String vm, String point, String mode, String target, String directory, String pool,
                  Map<String, String> networks, int vcpus, long memoryBytes, String identity, List<CheckView> checks) {
    }

    /** @param kind running, agent, tcp, http or command */
    record CheckView(String kind, Integer port, String path, Integer status, List<String> run, long timeoutSeconds) {
    }

    record HookView(List<String> run, long timeoutSeconds) {
    }

    record VersionView(int version, String sha256, Instant created, String createdBy) {
    }

    /** The answer of a validation: valid, or every problem with its line. */
    record Validation(boolean valid, List<RunbookException.Problem> problems, RunbookView runbook) {
    }

    @GetMapping
    @Operation(summary = "List runbooks", description = "Each runbook's newest version.")
    List<Summary> list() throws StoreException {
        List<Summary> out = new java.util.ArrayList<>();
        for (RunbookRepository.Version v : runbooks.list()) {
            Runbook r = runbooks.parsed(v);
            out.add(new Summary(v.name(), v.version(), r.description(), r.groups().stream().map(Runbook.Group::name).toList(),
                    r.vms().size(), v.created(), v.createdBy()));
        }
        return out;
    }

    @PostMapping(consumes = {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain"})
    @Operation(summary = "Store a runbook",
            description = "The YAML becomes the next version of the runbook it names (201, Location /api/runbooks/{name}),"
                    + " or, the same as its newest version, changes nothing (200). 400 with every problem and its line"
                    + " (problems: [{line, column, message}]): malformed YAML, unknown keys, a VM in two groups, a cycle in"
                    + " after, a VM with no restore point here, ...; nothing is stored.")
    ResponseEntity<RunbookView> save(@RequestBody String yaml, Principal user) throws StoreException {
        Runbooks.Saved saved = audit.audited(user.getName(), "runbook.save", nameOf(yaml), null,
                () -> runbooks.save(yaml, user.getName()));
        RunbookView view = view(saved.version(), saved.runbook(), drills.status(saved.runbook()));
        return saved.created() ? ResponseEntity.created(URI.create("/api/runbooks/" + view.name())).body(view)
                : ResponseEntity.ok(view);
    }

    @PostMapping(path = "/validate", consumes = {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml",
            "text/plain"})
    @Operation(summary = "Check a runbook without storing it",
            description = "200 {valid, problems, runbook}: the checks a store makes, and the runbook as it would run.")
    Validation validate(@RequestBody String yaml) {
        try {
            Runbook r = runbooks.check(yaml);
            return new Validation(true, List.of(), view(null, r, null));
        } catch (RunbookException e) {
            return new Validation(false, e.problems(), null);
        }
    }

    @GetMapping("/{name}")
    @Operation(summary = "Show a runbook", description = "Its newest version, groups in run order; 404 no such runbook.")
    RunbookView show(@PathVariable String name) throws StoreException {
        RunbookRepository.Version v = runbooks.latest(name);
        Runbook r = runbooks.parsed(v);
        return view(v, r, drills.status(r));
    }

    @GetMapping("/{name}/drills")
    @Operation(summary = "A runbook's drills", description = "Its last 20 scheduled drills, newest first: when each was"
            + " due and fired, its outcome (STARTED, DONE, HALTED, WAITING_APPROVAL, SKIPPED, NOT_STARTED), its test run"
            + " and why; 404 no such runbook.")
    List<DrillRun> drills(@PathVariable String name) throws StoreException {
        runbooks.latest(name);
        return drills.recent(name, 20);
    }

    @PostMapping("/{name}/drill")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Run a runbook's drill now", description = "202: fired once now through Quartz, as its schedule"
            + " would (one appliance of a cluster runs it); follow it in GET /api/runbooks/{name}. 404 no such runbook,"
            + " 409 a runbook without a drill.")
    void drillNow(@PathVariable String name, Principal user) throws StoreException {
        audit.audited(user.getName(), "runbook.drill", name, null, () -> {
            Runbook r = runbooks.parsed(runbooks.latest(name));
            if (r.drill() == null) {
                throw RestoreException.conflict("runbook " + name + " has no drill: add drill: {schedule, ttl} to it");
            }
            drills.runNow(name);
            return null;
        });
    }

    @GetMapping(path = "/{name}/yaml", produces = "application/yaml")
    @Operation(summary = "A runbook's newest YAML, as it was stored")
    String yaml(@PathVariable String name) throws StoreException {
        return runbooks.latest(name).yaml();
    }

    @GetMapping("/{name}/versions")
    @Operation(summary = "A runbook's versions", description = "Newest first; 404 no such runbook.")
    List<VersionView> versions(@PathVariable String name) throws StoreException {
        return runbooks.versions(name).stream().map(v -> new VersionView(v.version(), v.sha256(), v.created(), v.createdBy()))
                .toList();
    }

    @GetMapping(path = "/{name}/versions/{version}", produces = "application/yaml")
    @Operation(summary = "One version's YAML, as it was stored", description = "404 no such runbook or version.")
    String version(@PathVariable String name, @PathVariable int version) throws StoreException {
        return runbooks.version(name, version).yaml();
    }

    @DeleteMapping("/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a runbook", description = "Every version of it; 204, 404 no such runbook.")
    void delete(@PathVariable String name, Principal user) throws StoreException {
        audit.audited(user.getName(), "runbook.delete", name, null, () -> {
            runbooks.delete(name);
            return null;
        });
    }

    /** The name the YAML gives, for the audit log of a refused save; empty if it gives none readable. */
    private static String nameOf(String yaml) {
        if (yaml == null) {
            return "";
        }
        return yaml.lines().filter(l -> l.startsWith("runbook:")).findFirst()
                .map(l -> l.substring("runbook:".length()).strip()).map(n -> n.length() > 63 ? n.substring(0, 63) : n)
                .orElse("");
    }

    private static RunbookView view(RunbookRepository.Version v, Runbook r, RunbookDrills.Status drill) {
        return new RunbookView(r.name(), v == null ? 0 : v.version(), v == null ? null : v.sha256(),
                v == null ? null : v.created(), v == null ? null : v.createdBy(), r.description(),
                r.groups().stream().map(g -> new GroupView(g.name(), g.after(), g.pause().toSeconds(), g.approval(),
                        g.vms().stream().map(RunbookController::view).toList())).toList(),
                r.pre().stream().map(h -> new HookView(h.argv(), h.timeout().toSeconds())).toList(),
                r.post().stream().map(h -> new HookView(h.argv(), h.timeout().toSeconds())).toList(),
                v == null ? null : v.yaml(), drill);
    }

    private static VmView view(Runbook.Vm vm) {
        PointChoice p = vm.point();
        String point = p instanceof PointChoice.Before b ? "before " + b.time()
                : p instanceof PointChoice.Named t ? "time " + t.time()
                : p instanceof PointChoice.Newest ? "newest" : "newest-replicated";
        return new VmView(vm.vm(), point, vm.mode().name().toLowerCase(java.util.Locale.ROOT), vm.target(), vm.directory(),
                vm.pool(), vm.networks(), vm.vcpus(), vm.memoryBytes(), vm.newIdentity() ? "new" : "keep",
                vm.checks().stream().map(RunbookController::view).toList());
    }

    private static CheckView view(Check c) {
        long t = c.timeout().toSeconds();
        if (c instanceof Check.Tcp tcp) {
            return new CheckView("tcp", tcp.port(), null, null, null, t);
        }
        if (c instanceof Check.Http h) {
            return new CheckView("http", h.port(), h.path(), h.status(), null, t);
        }
        if (c instanceof Check.Command cmd) {
            return new CheckView("command", null, null, null, cmd.argv(), t);
        }
        return new CheckView(c instanceof Check.AgentPing ? "agent" : "running", null, null, null, null, t);
    }
}
