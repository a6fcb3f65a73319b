package io.lifeboat.appliance.inventory;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.ErrorCallback;
import org.libvirt.LibvirtException;

import io.lifeboat.appliance.inventory.InventoryException.Kind;

/**
 * Connections to the configured libvirt hosts, one per URI.
 *
 * <p>A connection opens on first use and is reused by every caller (libvirt connections are
 * thread-safe). libvirt-java's {@code Connect} constructor has no timeout, and a host that accepts
 * TCP but never answers would block it forever, so the open runs on its own daemon thread and the
 * caller waits at most {@code connectTimeout}; past that the host is {@link Kind#UNREACHABLE} and
 * the stuck thread is left to finish (its connection, if it ever opens, is closed). Keepalive is
 * not used: it needs the process-wide libvirt event loop to be running.
 *
 * <p>Reconnect: before each call a dead connection ({@code virConnectIsAlive} false) is replaced;
 * a call that fails with a connection-level error drops the connection and reports UNREACHABLE,
 * and the next call opens a new one. Failed calls are not retried, because define or start might
 * have reached the daemon before the connection broke.
 */
public class LibvirtHosts implements AutoCloseable {

    /**
     * Swallows libvirt's own report of each error (by default printed to stderr as
     * "libvirt: ... error"): the same error reaches the caller as a LibvirtException. Held in a
     * field because JNA callbacks must stay reachable.
     */
    private static final ErrorCallback SILENT = new ErrorCallback();

    private final List<String> uris;
    private final Duration connectTimeout;
    private final Map<String, Connect> open = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

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
        Connect connect = connection(uri);
        try {
            return call.apply(connect);
        } catch (LibvirtException e) {
            InventoryException failure = InventoryException.from(e, what);
            if (failure.kind() == Kind.UNREACHABLE || !isAlive(connect)) {
                drop(uri, connect);
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

    /**
     * True for URIs that reach the libvirtd of this machine ({@code qemu:///system},
     * {@code qemu+unix:///system}, {@code test:///default}): only there can Lifeboat copy and
     * delete disk files itself.
     */
    public static boolean isLocal(String uri) {
        String host = URI.create(uri).getHost();
        return host == null || host.isEmpty() || host.equals("localhost") || host.equals("127.0.0.1");
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

    private Connect connection(String uri) {
        if (!uris.contains(uri)) {
            throw InventoryException.notFound("Unknown libvirt host " + uri + "; configured: " + uris);
        }
        // One lock per host, so a host that hangs does not hold up the others.
        synchronized (locks.computeIfAbsent(uri, u -> new Object())) {
            Connect existing = open.get(uri);
            if (existing != null && isAlive(existing)) {
                return existing;
            }
            if (existing != null) {
                drop(uri, existing);
            }
            Connect fresh = openWithDeadline(uri);
            open.put(uri, fresh);
            return fresh;
        }
    }

    /**
     * Stops libvirt from also printing each of this connection's errors to stderr: they reach the
     * caller as exceptions, and expected ones (a job that has already ended) are not news.
     */
    public static Connect silenced(Connect c) throws LibvirtException {
        c.setConnectionErrorCallback(SILENT);
        return c;
    }

    private Connect openWithDeadline(String uri) {
        CompletableFuture<Connect> opening = new CompletableFuture<>();
        Thread opener = new Thread(() -> {
            try {
                Connect c = silenced(new Connect(uri, false));
                if (!opening.complete(c)) {
                    closeQuietly(c); // the caller gave up waiting
                }
            } catch (LibvirtException | RuntimeException e) {
                opening.completeExceptionally(e);
            }
        }, "libvirt-connect " + uri);
        opener.setDaemon(true);
        opener.start();
        try {
            return opening.get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            opening.cancel(false);
            throw new InventoryException(Kind.UNREACHABLE, "libvirt host " + uri + " did not answer within "
                    + connectTimeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            String detail = e.getCause() instanceof LibvirtException le
                    ? InventoryException.detail(le) : String.valueOf(e.getCause().getMessage());
            throw new InventoryException(Kind.UNREACHABLE, "Cannot connect to libvirt host " + uri + ": " + detail,
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            opening.cancel(false);
            throw new InventoryException(Kind.UNREACHABLE, "Interrupted while connecting to " + uri, e);
        }
    }

    private void drop(String uri, Connect connect) {
        open.remove(uri, connect);
        closeQuietly(connect);
    }

    private static boolean isAlive(Connect connect) {
        try {
            return connect.isAlive();
        } catch (LibvirtException e) {
            return false;
        }
    }

    private static void closeQuietly(Connect connect) {
        try {
            connect.close();
        } catch (LibvirtException e) {
            // Already broken; nothing left to release.
        }
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
        open.values().forEach(LibvirtHosts::closeQuietly);
        open.clear();
    }
}
