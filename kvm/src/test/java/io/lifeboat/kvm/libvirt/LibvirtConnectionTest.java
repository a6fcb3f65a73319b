package io.lifeboat.kvm.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What needs no libvirtd: which URIs reach this machine. */
class LibvirtConnectionTest {

    @Test
    void localUrisAreRecognised() {
        assertThat(LibvirtConnection.isLocal("qemu:///system")).isTrue();
        assertThat(LibvirtConnection.isLocal("test:///default")).isTrue();
        assertThat(LibvirtConnection.isLocal("qemu+ssh://root@kvm2/system")).isFalse();
    }
}
