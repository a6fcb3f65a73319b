package io.lifeboat.appliance.api;

import java.security.Principal;
import java.util.List;

import io.lifeboat.appliance.catalog.RestorePointService;
import io.lifeboat.appliance.error.ApplianceException;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.RestorePointId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

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
            description = "Removes it from the store (its chunks are reclaimed by the next GC) and marks it DELETED.")
    RestorePointView delete(@PathVariable String vm, @PathVariable String time, Principal user) throws StoreException {
        return RestorePointView.of(restorePoints.delete(id(vm, time), user.getName()));
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
