package io.lifeboat.appliance.api;

import java.net.URI;
import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.SortedSet;

import io.lifeboat.appliance.catalog.AuditLog;
import io.lifeboat.appliance.inventory.Inventory;
import io.lifeboat.appliance.inventory.Vm;
import io.lifeboat.appliance.inventory.VmCloner;
import io.lifeboat.appliance.inventory.VmLifecycle;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * {@code /api/vms}: the VMs of the libvirt hosts, their lifecycle, tags and clones. Every call
 * takes {@code ?host=<libvirt URI>} (default: the first configured host); every change is audited.
 */
@RestController
@RequestMapping("/api/vms")
@Tag(name = "VMs")
class VmController {

    private final Inventory inventory;
    private final VmLifecycle lifecycle;
    private final VmCloner cloner;
    private final HostParameter hosts;
    private final AuditLog audit;

    VmController(Inventory inventory, VmLifecycle lifecycle, VmCloner cloner, HostParameter hosts, AuditLog audit) {
        this.inventory = inventory;
        this.lifecycle = lifecycle;
        this.cloner = cloner;
        this.hosts = hosts;
        this.audit = audit;
    }

    /** The new-name body of a clone request. */
    record CloneRequest(String name) {
    }

    @GetMapping
    @Operation(summary = "List VMs", description = "Every VM of the host, defined or running, sorted by name.")
    List<VmView> list(@Parameter(description = "libvirt URI; default: the first configured host")
                      @RequestParam(required = false) String host) {
        return inventory.list(hosts.resolve(host)).stream().map(VmView::of).toList();
    }

    @GetMapping("/{name}")
    @Operation(summary = "Show a VM")
    VmView show(@PathVariable String name, @RequestParam(required = false) String host) {
        return VmView.of(inventory.get(hosts.resolve(host), name));
    }

    @PostMapping(consumes = {MediaType.APPLICATION_XML_VALUE, MediaType.TEXT_PLAIN_VALUE, MediaType.TEXT_XML_VALUE})
    @Operation(summary = "Define a VM from domain XML",
            description = "type='qemu', a new name (and UUID, if given); the VM is left shut off.")
    ResponseEntity<VmView> define(@RequestBody String domainXml, @RequestParam(required = false) String host,
                                  Principal user) {
        String uri = hosts.resolve(host);
        Vm vm = audit.audited(user.getName(), "vm.define", uri, null, () -> lifecycle.define(uri, domainXml));
        return ResponseEntity.created(location(vm)).body(VmView.of(vm));
    }

    @PostMapping("/{name}/start")
    @Operation(summary = "Start a VM")
    VmStateView start(@PathVariable String name, @RequestParam(required = false) String host, Principal user) {
        String uri = hosts.resolve(host);
        return new VmStateView(name, audit.audited(user.getName(), "vm.start", name, onHost(uri),
                () -> lifecycle.start(uri, name)));
    }

    @PostMapping("/{name}/shutdown")
    @Operation(summary = "Shut a VM down (ACPI)",
            description = "Waits up to timeoutSeconds for it to be off (0: just send the request); 504 if it is not.")
    VmStateView shutdown(@PathVariable String name, @RequestParam(required = false) String host,
                         @RequestParam(defaultValue = "30") @Min(0) @Max(3600) int timeoutSeconds, Principal user) {
        String uri = hosts.resolve(host);
        return new VmStateView(name, audit.audited(user.getName(), "vm.shutdown", name, onHost(uri),
                () -> lifecycle.shutdown(uri, name, Duration.ofSeconds(timeoutSeconds))));
    }

    @PostMapping("/{name}/force-off")
    @Operation(summary = "Force a VM off (pull the plug)")
    VmStateView forceOff(@PathVariable String name, @RequestParam(required = false) String host, Principal user) {
        String uri = hosts.resolve(host);
        return new VmStateView(name, audit.audited(user.getName(), "vm.force-off", name, onHost(uri),
                () -> lifecycle.forceOff(uri, name)));
    }

    @DeleteMapping("/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a shut-off VM", description = "With deleteDisks, its disk image files too (local hosts only).")
    void delete(@PathVariable String name, @RequestParam(required = false) String host,
                @RequestParam(defaultValue = "false") boolean deleteDisks, Principal user) {
        String uri = hosts.resolve(host);
        audit.audited(user.getName(), "vm.delete", name, onHost(uri) + (deleteDisks ? ", with its disks" : ""),
                () -> lifecycle.delete(uri, name, deleteDisks));
    }

    @PutMapping("/{name}/tags")
    @Operation(summary = "Replace a VM's tags", description = "Answers the tags as stored, sorted.")
    SortedSet<String> setTags(@PathVariable String name, @RequestParam(required = false) String host,
                              @RequestBody List<String> tags, Principal user) {
        String uri = hosts.resolve(host);
        return audit.audited(user.getName(), "vm.tags", name, onHost(uri) + ": " + tags,
                () -> inventory.setTags(uri, name, tags));
    }

    @PostMapping("/{name}/clone")
    @Operation(summary = "Clone a shut-off VM",
            description = "New name, UUID, MACs and copies of the disks beside the originals; the clone is left shut off.")
    ResponseEntity<VmView> cloneVm(@PathVariable String name, @RequestParam(required = false) String host,
                                   @RequestBody CloneRequest request, Principal user) {
        String uri = hosts.resolve(host);
        Vm clone = audit.audited(user.getName(), "vm.clone", name, onHost(uri) + " as " + request.name(),
                () -> cloner.clone(uri, name, request.name(), null));
        return ResponseEntity.created(location(clone)).body(VmView.of(clone));
    }

    static String onHost(String uri) {
        return "on " + uri;
    }

    private static URI location(Vm vm) {
        return UriComponentsBuilder.fromPath("/api/vms/{name}").queryParam("host", "{host}")
                .encode().buildAndExpand(vm.name(), vm.host()).toUri();
    }
}
