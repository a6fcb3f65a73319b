package io.lifeboat.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.kvm.libvirt.LibvirtConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.cli.ExitCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * The VM verbs and {@code backup} on the real libvirtd: a tiny shut-off qemu VM with one qcow2
 * disk in a temp directory, removed again whatever the test left.
 */
class VmVerbsCliTest extends CliHarness {
    private static final String URI = "qemu:///system";
    /** VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA | VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA */
    private static final int UNDEFINE_METADATA = 1 | 16;

    @TempDir
    Path dir;

    private final String name = "lbtest-cli-" + UUID.randomUUID().toString().substring(0, 8);

    @AfterEach
    void removeVm() throws Exception {
        Connect conn = LibvirtConnection.open(URI);
        try {
            for (String defined : conn.listDefinedDomains()) {
                if (defined.equals(name)) {
                    Domain d = conn.domainLookupByName(name);
                    if (d.isActive() == 1) {
                        d.destroy();
                    }
                    d.undefine(UNDEFINE_METADATA);
                }
            }
        } finally {
            conn.close();
        }
    }

    @Test
    void defineTagSnapshotBackUpAndDelete() throws Exception {
        Path image = dir.resolve(name + "-vda.qcow2");
        run("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), Long.toString(16L << 20));
        run("qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 1M 1M", image.toString());
        Path xml = dir.resolve(name + ".xml");
        Files.writeString(xml, "<domain type='qemu'><name>" + name + "</name><memory unit='MiB'>64</memory>"
                + "<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
                + "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='" + image
                + "'/><target dev='vda' bus='virtio'/></disk></devices></domain>", StandardCharsets.UTF_8);

        Run define = lifeboat("vm", "define", xml.toString());
        assertThat(define.exitCode()).as(define.err()).isZero();
        assertThat(define.out()).contains("defined " + name);
        assertThat(lifeboat("vms").out()).contains(name, "SHUT_OFF");
        JsonNode shown = lifeboat("vm", "show", name, "--json").json();
        assertThat(shown.path("disks").get(0).path("path").asText()).isEqualTo(image.toString());

        assertThat(lifeboat("vm", "tags", name, "web", "prod").exitCode()).isZero();
        assertThat(lifeboat("vm", "tags", name).out().lines()).containsExactly("prod", "web");

        assertThat(lifeboat("snapshot", "create", name, "before").exitCode()).isZero();
        assertThat(lifeboat("snapshot", "list", name).out()).contains("before", "SHUT_OFF");
        assertThat(lifeboat("snapshot", "delete", name, "before").exitCode()).isZero();
        assertThat(lifeboat("snapshot", "revert", name, "before").exitCode()).isEqualTo(ExitCode.NOT_FOUND);

        Run backup = lifeboat("backup", name);
        assertThat(backup.exitCode()).as(backup.err()).isZero();
        String restorePoint = backup.out().strip();
        assertThat(restorePoint).startsWith(name + "/");
        JsonNode rp = lifeboat("restore-point", "show", restorePoint, "--json").json();
        assertThat(rp.path("consistency").asText()).isEqualTo("OFFLINE");
        assertThat(rp.path("logicalBytes").asLong()).isEqualTo(16L << 20);

        Run noWait = lifeboat("backup", name, "--no-wait", "--json");
        assertThat(noWait.exitCode()).isZero();
        String jobId = noWait.json().path("jobId").asText();
        assertThat(lifeboat("job", "show", jobId, "--json").json().path("vm").asText()).isEqualTo(name);
        awaitEnd(jobId);

        Run delete = lifeboat("vm", "delete", name, "--delete-disks");
        assertThat(delete.exitCode()).as(delete.err()).isZero();
        assertThat(image).doesNotExist();
        assertThat(lifeboat("vm", "show", name).exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    }

    @Test
    void unknownVmIsNotFound() {
        Run backup = lifeboat("backup", "lbtest-cli-nosuchvm");
        assertThat(backup.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(backup.err()).startsWith("lifeboat: ").contains("lbtest-cli-nosuchvm");
        assertThat(lifeboat("vm", "show", "lbtest-cli-nosuchvm").exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(lifeboat("vm", "start", "lbtest-cli-nosuchvm").exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    }

    private void awaitEnd(String jobId) throws Exception {
        for (int i = 0; i < 600; i++) {
            String state = lifeboat("job", "show", jobId, "--json").json().path("state").asText();
            if (state.equals("SUCCEEDED") || state.equals("FAILED") || state.equals("CANCELLED")) {
                return;
            }
            Thread.sleep(100); // polling the job, as the CLI itself does
        }
        throw new AssertionError("job " + jobId + " did not end");
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }
}
