package io.lifeboat.kvm.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The host path rules of {@link HostPaths}, on definitions as libvirt writes them. */
class HostPathsTest {

    private static final Path DIR = Path.of("/srv/restored");

    private static DomainXml domain(String devices) {
        return DomainXml.parse("<domain type='qemu'><name>web01</name><devices>" + devices + "</devices></domain>");
    }

    @Test
    void fileBackedSerialAndTheConsoleMirroringItMoveToOneNewFile() {
        DomainXml xml = domain("<serial type='file'><source path='/var/log/web01-console.log'/><target port='0'/>"
                + "<log file='/var/log/web01-serial.log' append='on'/></serial>"
                + "<console type='file'><source path='/var/log/web01-console.log'/><target type='serial' port='0'/></console>");

        var notes = HostPaths.remap(xml, "web02", DIR);

        String out = xml.toXml();
        assertThat(out).doesNotContain("/var/log/web01")
                .contains("<source path=\"/srv/restored/web02-serial0.log\"/>")
                .contains("file=\"/srv/restored/web02-serial0-log.log\"");
        assertThat(out.split(java.util.regex.Pattern.quote("web02-serial0.log\""), -1)).as("serial and console share the new file").hasSize(3);
        assertThat(notes).contains("serial 0 writes to /srv/restored/web02-serial0.log instead of /var/log/web01-console.log",
                "serial 0 logs to /srv/restored/web02-serial0-log.log instead of /var/log/web01-serial.log");
    }

    @Test
    void socketsTheVmListensOnBecomeItsOwnThoseItConnectsToStay() {
        DomainXml xml = domain("<channel type='unix'><source mode='bind' path='/var/lib/libvirt/qemu/channel/target/domain-1-web01/org.qemu.guest_agent.0'/>"
                + "<target type='virtio' name='org.qemu.guest_agent.0'/></channel>"
                + "<serial type='unix'><source mode='bind' path='/run/web01-serial.sock'/><target port='0'/></serial>"
                + "<serial type='unix'><source mode='connect' path='/run/logger.sock'/><target port='1'/></serial>"
                + "<graphics type='vnc'><listen type='socket' socket='/run/web01-vnc.sock'/></graphics>");

        var notes = HostPaths.remap(xml, "web02", DIR);

        String out = xml.toXml();
        assertThat(out).doesNotContain("domain-1-web01", "web01-serial.sock", "web01-vnc.sock")
                .contains("/srv/restored/web02-serial0.sock").contains("/run/logger.sock");
        assertThat(DomainXml.parse(out).hasChannel("org.qemu.guest_agent.0")).isTrue();
        assertThat(notes).contains("serial 1 connects to /run/logger.sock, as the original did");
    }

    @Test
    void anEmulatedTpmStartsEmptyWithANote() {
        DomainXml xml = domain("<tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>");

        assertThat(HostPaths.remap(xml, "web02", DIR)).singleElement().asString().contains("TPM starts empty");
    }

    @Test
    void aHostDeviceOrPassedThroughTpmIsRefusedAndNothingChanges() {
        DomainXml serial = domain("<serial type='file'><source path='/var/log/a.log'/><target port='0'/></serial>"
                + "<serial type='dev'><source path='/dev/ttyS1'/><target port='1'/></serial>");
        String before = serial.toXml();
        assertThatThrownBy(() -> HostPaths.remap(serial, "web02", DIR)).isInstanceOf(HostPaths.Unremappable.class)
                .hasMessageContaining("serial 1 uses the host device /dev/ttyS1");
        assertThat(serial.toXml()).isEqualTo(before);

        DomainXml tpm = domain("<tpm model='tpm-tis'><backend type='passthrough'><device path='/dev/tpm0'/></backend></tpm>");
        assertThatThrownBy(() -> HostPaths.remap(tpm, "web02", DIR)).isInstanceOf(HostPaths.Unremappable.class)
                .hasMessageContaining("passed through");
    }
}
