package io.lifeboat.appliance.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** The inventory beans wire up from {@code lifeboat.inventory.*} without touching libvirt. */
class InventoryConfigurationTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(InventoryProperties.class)
    static class Properties {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(Properties.class, InventoryConfiguration.class);

    @Test
    void defaultsToTheLocalSystemDaemon() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(Inventory.class).hasSingleBean(VmLifecycle.class)
                    .hasSingleBean(VmSnapshots.class).hasSingleBean(VmCloner.class);
            assertThat(context.getBean(LibvirtHosts.class).uris()).containsExactly("qemu:///system");
            assertThat(context.getBean(InventoryProperties.class).connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        });
    }

    @Test
    void bindsSeveralHostsAndATimeout() {
        runner.withPropertyValues("lifeboat.inventory.uris=qemu:///system,qemu+ssh://root@kvm2/system",
                "lifeboat.inventory.connect-timeout=3s").run(context -> {
                    assertThat(context.getBean(LibvirtHosts.class).uris())
                            .containsExactly("qemu:///system", "qemu+ssh://root@kvm2/system");
                    assertThat(context.getBean(InventoryProperties.class).connectTimeout()).isEqualTo(Duration.ofSeconds(3));
                });
    }
}
