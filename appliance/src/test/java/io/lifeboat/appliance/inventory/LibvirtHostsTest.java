package io.lifeboat.appliance.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.lifeboat.appliance.inventory.InventoryException.Kind;

/** Connecting: unreachable hosts fail fast and clearly, good ones connect lazily and are reused. */
class LibvirtHostsTest {

    @Test
    void refusedPortIsUnreachableAtOnce() {
        String uri = "qemu+tcp://127.0.0.1:1/system";
        try (LibvirtHosts hosts = new LibvirtHosts(List.of(uri), Duration.ofSeconds(5))) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> new Inventory(hosts).list(uri))
                    .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE))
                    .hasMessageStartingWith("Cannot connect to libvirt host " + uri);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void silentHostIsUnreachableAfterTheTimeout() throws IOException {
        // Accepts TCP and never says a word: libvirt's own open would wait forever.
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // test over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String uri = "qemu+tcp://127.0.0.1:" + silent.getLocalPort() + "/system";
            try (LibvirtHosts hosts = new LibvirtHosts(List.of(uri), Duration.ofMillis(1500))) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> new Inventory(hosts).list(uri))
                        .isInstanceOfSatisfying(InventoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE))
                        .hasMessage("libvirt host " + uri + " did not answer within 1500 ms");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1400), Duration.ofSeconds(4));
            } finally {
                for (Socket s : accepted) {
                    s.close(); // lets the abandoned connect thread fail and end
                }
            }
        }
    }

    @Test
    void connectsLazilyAndReusesTheConnection() {
        try (LibvirtHosts hosts = new LibvirtHosts(List.of("test:///default", TestVms.URI), Duration.ofSeconds(10))) {
            assertThat(hosts.defaultUri()).isEqualTo("test:///default");
            var first = hosts.call(TestVms.URI, "read version", c -> c);
            var second = hosts.call(TestVms.URI, "read version", c -> c);
            assertThat(second).isSameAs(first);
            long version = hosts.call(TestVms.URI, "read version", c -> c.getLibVersion());
            assertThat(version).isGreaterThanOrEqualTo(9_000_000L);
        }
    }
}
