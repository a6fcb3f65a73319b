package io.lifeboat.appliance.api;

import io.lifeboat.appliance.inventory.LibvirtHosts;
import org.springframework.stereotype.Component;

/**
 * The {@code ?host=} parameter of the VM endpoints: a configured libvirt URI, or the default host
 * ({@code lifeboat.inventory.uris[0]}) when absent. An unconfigured URI is a 404 from the inventory.
 */
@Component
class HostParameter {

    private final LibvirtHosts hosts;

    HostParameter(LibvirtHosts hosts) {
        this.hosts = hosts;
    }

    String resolve(String host) {
        return host == null || host.isBlank() ? hosts.defaultUri() : host;
    }

    boolean isDefault(String host) {
        return hosts.defaultUri().equals(host);
    }
}
