package io.lifeboat.appliance.inventory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the inventory services; connections open lazily, so this costs nothing until first use. */
@Configuration(proxyBeanMethods = false)
public class InventoryConfiguration {

    @Bean
    LibvirtHosts libvirtHosts(InventoryProperties properties) {
        return new LibvirtHosts(properties.uris(), properties.connectTimeout());
    }

    @Bean
    Inventory inventory(LibvirtHosts hosts) {
        return new Inventory(hosts);
    }

    @Bean
    VmLifecycle vmLifecycle(LibvirtHosts hosts) {
        return new VmLifecycle(hosts);
    }

    @Bean
    VmSnapshots vmSnapshots(LibvirtHosts hosts) {
        return new VmSnapshots(hosts);
    }

    @Bean
    VmCloner vmCloner(LibvirtHosts hosts) {
        return new VmCloner(hosts);
    }
}
