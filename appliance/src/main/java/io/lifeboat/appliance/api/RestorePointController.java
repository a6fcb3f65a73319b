package io.lifeboat.appliance.api;

import java.security.Principal;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.lifeboat.appliance.catalog.RestorePoint;
import io.lifeboat.appliance.catalog.RestorePointDiff;
import io.lifeboat.appliance.catalog.RestorePointService;
import io.lifeboat.appliance.error.ApplianceException;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.RestorePointId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** {@code /api/restore-points}: the catalog's restore points; deleting one removes it from the store. */
@RestController
@RequestMapping("/api/restore-points")
@Tag(name = "Restore points")
class RestorePointController {

    private final RestorePointService restorePoints;

    RestorePointController(RestorePointService restorePoints) {
        this.restorePoints = restorePoints;
    }

    @GetMapping
    @Operation(summary = "List available restore points", description = "In VM, then time order; deleted ones are left out.")
    List<RestorePointView> list(@Parameter(description = "only this VM's restore points")
                                @RequestParam(required = false) String vm) {
        if (vm != null) {
            parse(() -> {
                RestorePointId.validateVm(vm);
                return null;
            });
        }
        return restorePoints.list(vm).stream().map(RestorePointView::of).toList();
    }

    @GetMapping("/{vm}/{time}")
    @Operation(summary = "Show a restore point", description = "Deleted restore points are shown too, with status DELETED.")
    RestorePointView show(@PathVariable String vm,
                          @Parameter(description = "UTC, to the millisecond: 20261127T070102.123Z") @PathVariable String time) {
        return RestorePointView.of(restorePoints.get(id(vm, time)));
    }

    @DeleteMapping("/{vm}/{time}")
    @Operation(summary = "Delete a restore point",
            description = "Removes it from the store (its chunks are reclaimed by the next GC) and marks it DELETED."
                    + " 409 if it is protected, in use or already deleted; nothing changes then.")
    RestorePointView delete(@PathVariable String vm, @PathVariable String time, Principal user) throws StoreException {
        return RestorePointView.of(restorePoints.delete(id(vm, time), user.getName()));
    }

    /** The body of a PATCH, for the API's description; the request is read as JSON to tell absent from null. */
    @Schema(description = "Either field may be left out to keep it as it is.")
    record RestorePointPatch(
            @JsonProperty("protected") @Schema(description = "a protected restore point is neither deleted nor pruned")
            Boolean isProtected,
            @Schema(description = "free text, at most " + RestorePoint.MAX_NOTES + " characters; null or empty clears it",
                    nullable = true)
            String notes) {
    }

    @PatchMapping("/{vm}/{time}")
    @Operation(summary = "Protect a restore point or set its notes",
            description = "Body {\"protected\": true|false, \"notes\": \"...\"}, either field optional. A protected"
                    + " restore point cannot be deleted (409) and retention keeps it. 400 for a bad field (notes longer"
                    + " than " + RestorePoint.MAX_NOTES + " characters, protected not a boolean, an unknown field), 404"
                    + " unknown, 409 deleted.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(mediaType = "application/json",
                            schema = @Schema(implementation = RestorePointPatch.class))))
    RestorePointView update(@PathVariable String vm, @PathVariable String time, @RequestBody JsonNode body,
                            Principal user) {
        RestorePointId id = id(vm, time);
        if (body == null || !body.isObject()) {
            throw ApplianceException.badRequest("the body must be a JSON object such as {\"protected\": true, \"notes\": \"...\"}");
        }
        for (String field : body.propertyNames()) {
            if (!field.equals("protected") && !field.equals("notes")) {
                throw ApplianceException.badRequest("unknown field '" + field + "': only protected and notes can be changed");
            }
        }
        Boolean isProtected = null;
        JsonNode p = body.get("protected");
        if (p != null) {
            if (!p.isBoolean()) {
                throw ApplianceException.badRequest("protected must be true or false, not " + p);
            }
            isProtected = p.booleanValue();
        }
        String notes = null;
        JsonNode n = body.get("notes");
        if (n != null) {
            if (!n.isNull() && !n.isString()) {
                throw ApplianceException.badRequest("notes must be a string or null, not " + n);
            }
            notes = n.isNull() ? "" : n.stringValue();
        }
        return RestorePointView.of(restorePoints.update(id, isProtected, notes, user.getName()));
    }

    @GetMapping("/{vm}/{time}/diff/{otherTime}")
    @Operation(summary = "Compare two restore points of a VM",
            description = "Per disk, how many of its bytes and chunks differ between this restore point (from) and the"
                    + " VM's restore point at otherTime (to), from the two manifests' chunk lists; no data is read. A"
                    + " disk in only one of them counts as wholly changed. 400 malformed time, 404 unknown, 409 deleted.")
    RestorePointDiff diff(@PathVariable String vm, @PathVariable String time,
                          @Parameter(description = "the other restore point's time, same form") @PathVariable String otherTime)
            throws StoreException {
        return restorePoints.diff(id(vm, time), id(vm, otherTime));
    }

    private static RestorePointId id(String vm, String time) {
        return parse(() -> RestorePointId.parse(vm + "/" + time));
    }

    /** The store's own validation messages are written for users: pass them on as a 400. */
    private static <T> T parse(java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw ApplianceException.badRequest(e.getMessage(), e);
        }
    }
}
