package io.lifeboat.appliance.api;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;

import io.lifeboat.appliance.catalog.AuditEntry;
import io.lifeboat.appliance.catalog.AuditLog;
import io.lifeboat.appliance.error.ApplianceException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/audit}: who did what, when, and how it ended, newest first, a page at a time. */
@RestController
@RequestMapping("/api/audit")
@Tag(name = "Audit log")
class AuditController {

    static final int MAX_LIMIT = 500;

    private final AuditLog audit;

    AuditController(AuditLog audit) {
        this.audit = audit;
    }

    /** One page; {@code next} is the {@code before} that asks for the page after it, null on the last page. */
    record AuditPage(List<AuditEntry> entries, Long next) {
    }

    @GetMapping
    @Operation(summary = "Read the audit log",
            description = "Newest first, paged by id: pass the answer's next as before to get the page after it (next"
                    + " is null on the last page). Filters match exactly, action also as a prefix when it ends with '.'"
                    + " (vm. for every VM action). 400 for a limit outside 1 to " + MAX_LIMIT + ", an unknown outcome or"
                    + " a malformed since.")
    AuditPage list(@Parameter(description = "entries per page, 1 to " + MAX_LIMIT) @RequestParam(defaultValue = "50") int limit,
                   @Parameter(description = "only entries older than this id: the previous page's next")
                   @RequestParam(required = false) Long before,
                   @Parameter(description = "only this user's entries (policy:<name> for a policy's)")
                   @RequestParam(required = false) String user,
                   @Parameter(description = "only this action (restore-point.delete), or with a trailing '.' those it starts")
                   @RequestParam(required = false) String action,
                   @Parameter(description = "only entries about this target: a restore point id, a VM, a policy")
                   @RequestParam(required = false) String target,
                   @Parameter(description = "SUCCEEDED, FAILED or DENIED") @RequestParam(required = false) String outcome,
                   @Parameter(description = "only entries at or after this instant, ISO-8601 (2026-12-07T01:00:00Z)")
                   @RequestParam(required = false) String since) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApplianceException.badRequest("limit must be between 1 and " + MAX_LIMIT + ", not " + limit);
        }
        AuditLog.Page page = audit.page(new AuditLog.Query(limit, before, blankToNull(user), blankToNull(action),
                blankToNull(target), outcome(blankToNull(outcome)), since(blankToNull(since))));
        return new AuditPage(page.entries(), page.next());
    }

    private static AuditEntry.Outcome outcome(String s) {
        if (s == null) {
            return null;
        }
        try {
            return AuditEntry.Outcome.valueOf(s);
        } catch (IllegalArgumentException e) {
            throw ApplianceException.badRequest("outcome must be one of " + Arrays.toString(AuditEntry.Outcome.values())
                    + ", not '" + s + "'", e);
        }
    }

    private static Instant since(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw ApplianceException.badRequest("since must be an instant such as 2026-12-07T01:00:00Z, not '" + s + "'", e);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
