package io.lifeboat.appliance.inventory;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

import io.lifeboat.appliance.inventory.InventoryException.Kind;
import io.lifeboat.kvm.KvmException;
import io.lifeboat.kvm.libvirt.LibvirtConnection;
import io.lifeboat.kvm.libvirt.ReconnectingConnection;

/**
 * Connections to the configured libvirt hosts, one per URI.
 *
 * <p>Each host has one {@link ReconnectingConnection}: it opens on first use, within
 * {@code connectTimeout} ({@link LibvirtConnection#open}; past that the host is
 * {@link Kind#UNREACHABLE}), is reused by every caller and replaced when it has died. A call that
 * fails with a connection-level error drops the connection and reports UNREACHABLE, and the next
 * call opens a new one. Failed calls are not retried, because define or start might have reached
 * the daemon before the connection broke.
 */
public class LibvirtHosts implements AutoCloseable {

    private final List<String> uris;
    private final Duration connectTimeout;
    private final Map<String, ReconnectingConnection> open = new ConcurrentHashMap<>();

    public LibvirtHosts(List<String> uris, Duration connectTimeout) {
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("at least one libvirt URI is needed");
        }
        uris.forEach(LibvirtHosts::requireUri);
        this.uris = List.copyOf(uris);
        this.connectTimeout = connectTimeout;
    }

    /** The configured hosts, by URI; the first is the default. */
    public List<String> uris() {
        return uris;
    }

    public String defaultUri() {
        return uris.get(0);
    }

    /** Runs {@code call} on the host's connection, opening or reopening it as needed. */
    public <T> T call(String uri, String what, LibvirtCall<Connect, T> call) {
        ReconnectingConnection host = host(uri);
        Connect connect;
        try {
            connect = host.get();
        } catch (KvmException e) {
            throw InventoryException.from(e);
        }
        try {
            return call.apply(connect);
        } catch (LibvirtException e) {
            InventoryException failure = InventoryException.from(e, what);
            if (failure.kind() == Kind.UNREACHABLE || !LibvirtConnection.isAlive(connect)) {
                host.drop(connect);
                throw new InventoryException(Kind.UNREACHABLE, failure.getMessage(), e);
            }
            throw failure;
        }
    }

    /**
     * Runs {@code call} on the named domain; an unknown name is {@link Kind#NOT_FOUND}.
     * {@code what} completes "Cannot ... VM web01 on qemu:///system", e.g. "start" or "read tags of".
     */
    public <T> T withDomain(String uri, String vm, String what, LibvirtCall<Domain, T> call) {
        return call(uri, what + " VM " + vm + " on " + uri, c -> call.apply(lookup(c, uri, vm)));
    }

    static Domain lookup(Connect connect, String uri, String vm) throws LibvirtException {
        try {
            return connect.domainLookupByName(vm);
        } catch (LibvirtException e) {
            if (InventoryException.hasCode(e, ErrorNumber.VIR_ERR_NO_DOMAIN)) {
                throw InventoryException.notFound("No VM named '" + vm + "' on " + uri);
            }
            throw e;
        }
    }

    /** True if a VM with this name exists on the host. */
    static boolean exists(Connect connect, String vm) throws LibvirtException {
        try {
            connect.domainLookupByName(vm);
            return true;
        } catch (LibvirtException e) {
            if (InventoryException.hasCode(e, ErrorNumber.VIR_ERR_NO_DOMAIN)) {
                return false;
            }
            throw e;
        }
    }

    private ReconnectingConnection host(String uri) {
        if (!uris.contains(uri)) {
            throw InventoryException.notFound("Unknown libvirt host " + uri + "; configured: " + uris);
        }
        // One connection (and lock) per host, so a host that hangs does not hold up the others.
        return open.computeIfAbsent(uri, u -> new ReconnectingConnection(u, connectTimeout));
    }

    private static void requireUri(String uri) {
        try {
            URI parsed = new URI(uri);
            if (parsed.getScheme() == null) {
                throw new IllegalArgumentException("libvirt URI without a scheme: " + uri);
            }
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("not a libvirt URI: " + uri, e);
        }
    }

    @Override
    public void close() {
        open.values().forEach(ReconnectingConnection::close);
        open.clear();
    }
}
