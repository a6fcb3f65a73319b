package io.lifeboat.appliance.api;

import java.net.URI;
import java.security.Principal;
import java.util.List;

import io.lifeboat.appliance.catalog.AuditLog;
import io.lifeboat.appliance.inventory.VmSnapshot;
import io.lifeboat.appliance.inventory.VmSnapshots;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/** {@code /api/vms/{vm}/snapshots}: libvirt internal snapshots (disks, and memory of a running VM). */
@RestController
@RequestMapping("/api/vms/{vm}/snapshots")
@Tag(name = "VMs")
class VmSnapshotController {

    private final VmSnapshots snapshots;
    private final HostParameter hosts;
    private final AuditLog audit;

    VmSnapshotController(VmSnapshots snapshots, HostParameter hosts, AuditLog audit) {
        this.snapshots = snapshots;
        this.hosts = hosts;
        this.audit = audit;
    }

    /** The body of a snapshot request; the description is optional. */
    record SnapshotRequest(String name, String description) {
    }

    @GetMapping
    @Operation(summary = "List a VM's snapshots", description = "Oldest first.")
    List<VmSnapshot> list(@PathVariable String vm, @RequestParam(required = false) String host) {
        return snapshots.list(hosts.resolve(host), vm);
    }

    @PostMapping
    @Operation(summary = "Take a snapshot", description = "Internal (inside the qcow2 images); every disk must be qcow2.")
    ResponseEntity<VmSnapshot> create(@PathVariable String vm, @RequestParam(required = false) String host,
                                      @RequestBody SnapshotRequest request, Principal user) {
        String uri = hosts.resolve(host);
        VmSnapshot snapshot = audit.audited(user.getName(), "vm.snapshot.create", vm + "/" + request.name(),
                VmController.onHost(uri), () -> snapshots.create(uri, vm, request.name(), request.description()));
        URI location = UriComponentsBuilder.fromPath("/api/vms/{vm}/snapshots").queryParam("host", "{host}")
                .encode().buildAndExpand(vm, uri).toUri();
        return ResponseEntity.created(location).body(snapshot);
    }

    @PostMapping("/{snapshot}/revert")
    @Operation(summary = "Revert a VM to a snapshot", description = "Answers the state the VM is in afterwards.")
    VmStateView revert(@PathVariable String vm, @PathVariable String snapshot,
                       @RequestParam(required = false) String host, Principal user) {
        String uri = hosts.resolve(host);
        return new VmStateView(vm, audit.audited(user.getName(), "vm.snapshot.revert", vm + "/" + snapshot,
                VmController.onHost(uri), () -> snapshots.revert(uri, vm, snapshot)));
    }

    @DeleteMapping("/{snapshot}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a snapshot", description = "Its children move up to its parent.")
    void delete(@PathVariable String vm, @PathVariable String snapshot, @RequestParam(required = false) String host,
                Principal user) {
        String uri = hosts.resolve(host);
        audit.audited(user.getName(), "vm.snapshot.delete", vm + "/" + snapshot, VmController.onHost(uri), () -> {
            snapshots.delete(uri, vm, snapshot);
            return null;
        });
    }
}
