package io.lifeboat.kvm.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.libvirt.Connect;

import io.lifeboat.kvm.KvmException;

/** Against libvirt's in-process test driver, which needs no daemon. */
class ReconnectingConnectionTest {

    @Test
    void oneConnectionServesUntilItIsDroppedThenANewOneOpens() throws Exception {
        try (ReconnectingConnection host = new ReconnectingConnection("test:///default", Duration.ofSeconds(10))) {
            Connect first = host.get();
            assertThat(host.get()).isSameAs(first);
            host.drop(first);
            Connect second = host.get();
            assertThat(second).isNotSameAs(first);
            assertThat(LibvirtConnection.isAlive(second)).isTrue();
        }
    }

    @Test
    void aHostThatCannotBeReachedIsUnreachable() {
        try (ReconnectingConnection host = new ReconnectingConnection("qemu+tcp://127.0.0.1:1/system", Duration.ofSeconds(10))) {
            assertThatThrownBy(host::get).isInstanceOf(KvmException.class)
                    .hasMessageStartingWith("Cannot connect to libvirt host qemu+tcp://127.0.0.1:1/system")
                    .satisfies(e -> assertThat(((KvmException) e).kind()).isEqualTo(KvmException.Kind.UNREACHABLE));
        }
    }
}
