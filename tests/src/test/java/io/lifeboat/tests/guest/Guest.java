package io.lifeboat.tests.guest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A VM with a real operating system (the image of {@code scripts/guest-image.sh}: Debian 12,
 * systemd, qemu-guest-agent, PostgreSQL, an HTTP service), booted by libvirt under TCG with
 * direct kernel boot, and talked to through its guest agent ({@code virsh qemu-agent-command}):
 * commands run inside it as root with {@link #exec}.
 */
final class Guest {

    static final String URI = "qemu:///system";
    /** A TCG guest answers its agent about 40 s after start; slower while the host is busy. */
    static final Duration BOOT = Duration.ofMinutes(4);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a command run in the guest did. */
    record Result(int exit, String out, String err) {
    }

    private Guest() {
    }

    /** The cached image, built by the script when missing (minutes the first time). */
    static Path image() throws IOException, InterruptedException {
        Path script = Appliance.top().resolve("scripts/guest-image.sh");
        Process p = new ProcessBuilder("bash", script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(40, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(script + " failed (exit " + (p.isAlive() ? "none" : p.exitValue()) + "): " + out);
        }
        Path dir = Path.of(out.substring(out.lastIndexOf('\n') + 1));
        for (String f : List.of("vmlinuz", "initrd.img", "disk.qcow2", "disk-gpt.qcow2", "disk-lvm.qcow2")) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new IllegalStateException(script + " left no " + f + " in " + dir);
            }
        }
        return dir;
    }

    /**
     * A domain definition booting the image's kernel on {@code disk}, with the agent channel and a
     * file-backed serial console (which a restored copy must not share).
     */
    static String domainXml(String name, Path image, Path disk, Path consoleLog) {
        return domainXml(name, image, disk, consoleLog, "/dev/vda");
    }

    /** As above, for one of the image's other layouts: {@code root} is the kernel's {@code root=}. */
    static String domainXml(String name, Path image, Path disk, Path consoleLog, String root) {
        return domainXml(name, image, disk, consoleLog, root, "");
    }

    /** As above, with a virtio NIC on the libvirt network {@code network} (the guest's eth0, by DHCP). */
    static String domainXmlOn(String network, String name, Path image, Path disk, Path consoleLog) {
        return domainXml(name, image, disk, consoleLog, "/dev/vda",
                "<interface type='network'><source network='" + network + "'/><model type='virtio'/></interface>");
    }

    private static String domainXml(String name, Path image, Path disk, Path consoleLog, String root, String nic) {
        return "<domain type='qemu'><name>" + name + "</name><memory unit='MiB'>1024</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type><kernel>" + image.resolve("vmlinuz") + "</kernel>"
                + "<initrd>" + image.resolve("initrd.img") + "</initrd>"
                + "<cmdline>root=" + root + " rw console=ttyS0 net.ifnames=0</cmdline></os>"
                // ACPI: without it a guest that shuts down halts but cannot power the machine off
                + "<features><acpi/></features>"
                + "<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                + "<source file='" + disk + "'/><target dev='vda' bus='virtio'/></disk>"
                + "<channel type='unix'><source mode='bind'/><target type='virtio' name='org.qemu.guest_agent.0'/></channel>"
                + "<serial type='file'><source path='" + consoleLog + "'/><target port='0'/></serial>"
                + "<console type='file'><source path='" + consoleLog + "'/><target type='serial' port='0'/></console>"
                + nic + "<memballoon model='none'/></devices></domain>";
    }

    /** A qcow2 overlay on the cached image: the VM's own disk, the cache untouched. */
    static Path overlay(Path image, Path file) throws IOException, InterruptedException {
        return overlay(image, "disk.qcow2", file);
    }

    /** An overlay on one of the image's disks ({@code disk.qcow2}, {@code disk-gpt.qcow2}, {@code disk-lvm.qcow2}). */
    static Path overlay(Path image, String layout, Path file) throws IOException, InterruptedException {
        run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-b", image.resolve(layout).toString(), "-F", "qcow2",
                file.toString()), Duration.ofMinutes(1));
        return file;
    }

    /** Sends one agent command; the answer's {@code return}. Throws when the agent does not answer in time. */
    static JsonNode agent(String vm, String command, Duration timeout) throws IOException, InterruptedException {
        String out = run(List.of("virsh", "-c", URI, "qemu-agent-command", vm, command, "--timeout",
                Long.toString(Math.max(1, timeout.toSeconds()))), timeout.plusSeconds(30));
        return JSON.readTree(out).path("return");
    }

    /** Waits until the VM's agent answers a ping (the guest has booted that far). */
    static void awaitAgent(String vm, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                agent(vm, "{\"execute\":\"guest-ping\"}", Duration.ofSeconds(5));
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the guest agent of " + vm + " did not answer within " + timeout.toSeconds()
                            + " s: " + notYet.getMessage());
                }
                Thread.sleep(1000);
            }
        }
    }

    /**
     * Waits until systemd in the guest has finished booting (no unit still starting), so that what
     * follows does not compete with the boot's own I/O; a unit that failed is the test's to see.
     */
    static void awaitBooted(String vm, Duration timeout) throws IOException, InterruptedException {
        String state = exec(vm, "systemctl is-system-running --wait", timeout).out().strip();
        if (!state.equals("running") && !state.equals("degraded")) {
            throw new AssertionError(vm + " did not finish booting: systemd says '" + state + "'");
        }
    }

    /** Runs {@code sh -c command} in the guest as root and waits for it. */
    static Result exec(String vm, String command, Duration timeout) throws IOException, InterruptedException {
        String request = JSON.writeValueAsString(JSON.createObjectNode().put("execute", "guest-exec")
                .set("arguments", JSON.createObjectNode().put("path", "/bin/sh").put("capture-output", true)
                        .set("arg", JSON.createArrayNode().add("-c").add(command))));
        long pid = agent(vm, request, Duration.ofSeconds(30)).path("pid").asLong();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode status = agent(vm, "{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":" + pid + "}}",
                    Duration.ofSeconds(30));
            if (status.path("exited").asBoolean()) {
                return new Result(status.path("exitcode").asInt(-1), decode(status.path("out-data")), decode(status.path("err-data")));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("'" + command + "' in " + vm + " did not end within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(200);
        }
    }

    /** As {@link #exec}, failing unless the command exits 0; its standard output. */
    static String sh(String vm, String command) throws IOException, InterruptedException {
        Result r = exec(vm, command, Duration.ofMinutes(2));
        if (r.exit() != 0) {
            throw new AssertionError("'" + command + "' in " + vm + " exited " + r.exit() + ": " + r.err() + r.out());
        }
        return r.out();
    }

    /** Starts {@code command} in the guest in the background, detached from the agent. */
    static void spawn(String vm, String command) throws IOException, InterruptedException {
        sh(vm, "setsid sh -c '" + command.replace("'", "'\\''") + "' </dev/null >/dev/null 2>&1 &");
    }

    private static String decode(JsonNode base64) {
        return base64.isMissingNode() || base64.isNull() ? ""
                : new String(Base64.getDecoder().decode(base64.asText()), StandardCharsets.UTF_8);
    }

    static String run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Path out = Files.createTempFile("guest-command", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command + " did not end within " + timeout.toSeconds() + " s");
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(command + " exited " + p.exitValue() + ": " + text.strip());
            }
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
