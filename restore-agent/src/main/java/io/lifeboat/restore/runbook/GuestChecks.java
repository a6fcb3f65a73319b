package io.lifeboat.restore.runbook;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lifeboat.restore.runbook.Runbook.Check;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.DomainInterface;
import org.libvirt.LibvirtException;

/**
 * Runs a runbook's health checks against a recovered VM, each until it passes or its timeout
 * ends, trying again every second: libvirt's domain state, the guest agent's ping, a TCP connect
 * or an HTTP GET to the guest's address (from its DHCP lease, else from its agent), a command
 * run in the guest by its agent. A check that does not pass in time fails with its last reason.
 */
final class GuestChecks {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final Duration ATTEMPT = Duration.ofSeconds(5);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(ATTEMPT)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    /** Why a check did not pass. */
    static final class Failed extends Exception {
        Failed(String message) {
            super(message);
        }
    }

    /** Runs {@code check} until it passes; a description of what passed. */
    String run(Domain domain, Check check) throws Failed, InterruptedException {
        long deadline = System.nanoTime() + check.timeout().toNanos();
        String last = "not tried";
        while (true) {
            try {
                return once(domain, check);
            } catch (Failed | IOException | LibvirtException e) {
                last = e.getMessage();
            }
            if (System.nanoTime() + RETRY.toNanos() > deadline) {
                throw new Failed(describe(check) + " did not pass within " + check.timeout().toSeconds() + " s: " + last);
            }
            Thread.sleep(RETRY.toMillis());
        }
    }

    static String describe(Check check) {
        if (check instanceof Check.Running) {
            return "running";
        } else if (check instanceof Check.AgentPing) {
            return "agent ping";
        } else if (check instanceof Check.Tcp t) {
            return "tcp " + t.port();
        } else if (check instanceof Check.Http h) {
            return "http " + h.port() + h.path() + " = " + h.status();
        } else {
            return "command " + String.join(" ", ((Check.Command) check).argv());
        }
    }

    private String once(Domain domain, Check check) throws Failed, IOException, LibvirtException, InterruptedException {
        if (check instanceof Check.Running) {
            DomainInfo.DomainState state = domain.getInfo().state;
            if (state != DomainInfo.DomainState.VIR_DOMAIN_RUNNING) {
                throw new Failed("the domain is " + state);
            }
            return "running";
        } else if (check instanceof Check.AgentPing) {
            agent(domain, "{\"execute\":\"guest-ping\"}");
            return "the guest agent answered";
        } else if (check instanceof Check.Tcp t) {
            InetAddress ip = address(domain);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(ip, t.port()), (int) ATTEMPT.toMillis());
            }
            return ip.getHostAddress() + ":" + t.port() + " accepts connections";
        } else if (check instanceof Check.Http h) {
            InetAddress ip = address(domain);
            URI uri = URI.create("http://" + ip.getHostAddress() + ":" + h.port() + h.path());
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri).timeout(ATTEMPT).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() != h.status()) {
                throw new Failed(uri + " answered " + r.statusCode());
            }
            return uri + " answered " + r.statusCode();
        } else {
            return command(domain, (Check.Command) check);
        }
    }

    private static String command(Domain domain, Check.Command c) throws Failed, LibvirtException, InterruptedException {
        ObjectNode args = JSON.createObjectNode().put("path", c.argv().get(0)).put("capture-output", true);
        var arg = args.putArray("arg");
        c.argv().subList(1, c.argv().size()).forEach(arg::add);
        ObjectNode request = JSON.createObjectNode().put("execute", "guest-exec");
        request.set("arguments", args);
        long pid = agent(domain, request.toString()).path("pid").asLong();
        long deadline = System.nanoTime() + c.timeout().toNanos();
        while (true) {
            JsonNode status = agent(domain, "{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":" + pid + "}}");
            if (status.path("exited").asBoolean()) {
                int exit = status.path("exitcode").asInt(-1);
                if (exit != 0) {
                    throw new Failed("exited " + exit + ": " + (decode(status.path("err-data")) + decode(status.path("out-data"))).strip());
                }
                return "exited 0";
            }
            if (System.nanoTime() > deadline) {
                throw new Failed("still running");
            }
            Thread.sleep(200);
        }
    }

    private static JsonNode agent(Domain domain, String request) throws Failed, LibvirtException {
        String answer = domain.qemuAgentCommand(request, (int) ATTEMPT.toSeconds(), 0);
        try {
            return JSON.readTree(answer).path("return");
        } catch (IOException e) {
            throw new Failed("the guest agent answered " + answer);
        }
    }

    /**
     * The guest's IPv4 address: from the DHCP lease of its libvirt network, else from the guest
     * agent (a guest with a static address, or on a bridge).
     */
    static InetAddress address(Domain domain) throws Failed {
        for (int source : new int[] {Domain.InterfaceAddressesSource.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE,
                Domain.InterfaceAddressesSource.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT}) {
            try {
                Optional<InetAddress> ip = first(domain.interfaceAddresses(source, 0));
                if (ip.isPresent()) {
                    return ip.get();
                }
            } catch (LibvirtException e) {
                // no lease or no agent yet: the other source, then the next try
            }
        }
        throw new Failed("the guest has no IPv4 address yet (no DHCP lease, no answer from its agent)");
    }

    private static Optional<InetAddress> first(java.util.Collection<DomainInterface> interfaces) {
        return interfaces.stream().filter(i -> !"lo".equals(i.name)).flatMap(i -> i.addrs.stream())
                .map(a -> a.address).filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).findFirst();
    }

    private static String decode(JsonNode base64) {
        return base64.isMissingNode() || base64.isNull() ? ""
                : new String(Base64.getDecoder().decode(base64.asText()), StandardCharsets.UTF_8);
    }

    static List<String> names(List<Check> checks) {
        return checks.stream().map(GuestChecks::describe).toList();
    }
}
