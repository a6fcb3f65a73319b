package io.lifeboat.appliance.api;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.lifeboat.appliance.inventory.InventoryException;
import io.lifeboat.appliance.inventory.LibvirtHosts;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/hosts}: the libvirt hosts a restore or instant recovery may target, with the
 * storage pools and networks each has, so that a restore form offers what exists instead of
 * asking the user to type names. A host that does not answer is listed with its error.
 */
@RestController
@Tag(name = "Hosts")
class HostController {

    private final LibvirtHosts hosts;

    HostController(LibvirtHosts hosts) {
        this.hosts = hosts;
    }

    /** A pool or network by name, and whether it is started. */
    record Named(String name, boolean active) {
    }

    /**
     * @param error why the host could not be read (pools and networks are then empty), or null
     */
    record HostView(String uri, @JsonProperty("default") boolean isDefault, List<Named> pools, List<Named> networks, String error) {
    }

    @GetMapping("/api/hosts")
    @Operation(summary = "List the libvirt hosts",
            description = "The configured hosts (lifeboat.inventory.uris), the default first, each with its storage"
                    + " pools and networks by name, active or not. A host that does not answer has error set and"
                    + " no pools or networks.")
    List<HostView> list() {
        List<HostView> views = new ArrayList<>();
        for (String uri : hosts.uris()) {
            boolean isDefault = uri.equals(hosts.defaultUri());
            try {
                views.add(hosts.call(uri, "list the storage pools and networks of " + uri,
                        c -> new HostView(uri, isDefault, named(c.listStoragePools(), c.listDefinedStoragePools()),
                                named(c.listNetworks(), c.listDefinedNetworks()), null)));
            } catch (InventoryException e) {
                views.add(new HostView(uri, isDefault, List.of(), List.of(), e.getMessage()));
            }
        }
        return views;
    }

    private static List<Named> named(String[] active, String[] inactive) {
        List<Named> all = new ArrayList<>();
        new TreeSet<>(List.of(active)).forEach(n -> all.add(new Named(n, true)));
        new TreeSet<>(List.of(inactive)).forEach(n -> all.add(new Named(n, false)));
        return all;
    }
}
