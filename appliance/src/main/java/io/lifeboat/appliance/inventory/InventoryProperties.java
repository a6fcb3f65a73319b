package io.lifeboat.appliance.inventory;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The libvirt hosts the appliance manages, bound from {@code lifeboat.inventory.*}.
 *
 * @param uris           libvirt URIs, one per host; the first is the default host
 * @param connectTimeout how long opening a connection may take before the host counts as unreachable
 */
@ConfigurationProperties("lifeboat.inventory")
public record InventoryProperties(@DefaultValue("qemu:///system") List<String> uris,
                                  @DefaultValue("10s") Duration connectTimeout) {

    public InventoryProperties {
        uris = List.copyOf(uris);
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("lifeboat.inventory.uris must name at least one libvirt URI");
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("lifeboat.inventory.connect-timeout must be positive");
        }
    }
}
