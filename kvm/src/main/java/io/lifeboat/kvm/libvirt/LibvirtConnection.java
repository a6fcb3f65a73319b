package io.lifeboat.kvm.libvirt;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.libvirt.Connect;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.ErrorCallback;
import org.libvirt.LibvirtException;

import io.lifeboat.kvm.KvmException.Kind;
import io.lifeboat.kvm.KvmException;

/**
 * Opens libvirt connections: the one place that calls libvirt-java's {@code Connect}
 * constructor. That constructor has no timeout, and a host that accepts TCP but never answers
 * would block it forever, so the open runs on its own daemon thread and the caller waits at most
 * its timeout; past that the host is {@link Kind#UNREACHABLE} and the stuck thread is left to
 * finish (its connection, if it ever opens, is closed). Keepalive is not used: it needs the
 * process-wide libvirt event loop to be running.
 *
 * <p>Every connection comes with libvirt's own printing of errors to stderr turned off: the errors
 * reach the caller as exceptions, and expected ones (a job that has already ended) are not news.
 */
public final class LibvirtConnection {

    /** How long an open may take where the caller has no setting of its own. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Swallows libvirt's own report of each error (by default printed to stderr as
     * "libvirt: ... error"). Held in a field because JNA callbacks must stay reachable.
     */
    private static final ErrorCallback SILENT = new ErrorCallback();

    private LibvirtConnection() {
    }

    /** A read-write connection to {@code uri}, opened within {@link #DEFAULT_TIMEOUT}. */
    public static Connect open(String uri) throws KvmException {
        return open(uri, DEFAULT_TIMEOUT);
    }

    /** A read-write connection to {@code uri}; a host that does not answer within {@code timeout} is UNREACHABLE. */
    public static Connect open(String uri, Duration timeout) throws KvmException {
        CompletableFuture<Connect> opening = new CompletableFuture<>();
        Thread opener = new Thread(() -> {
            try {
                Connect c = new Connect(uri, false);
                c.setConnectionErrorCallback(SILENT);
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
            return opening.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            opening.cancel(false);
            throw new KvmException(Kind.UNREACHABLE, "libvirt host " + uri + " did not answer within "
                    + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            String detail = e.getCause() instanceof LibvirtException le ? detail(le) : String.valueOf(e.getCause().getMessage());
            throw new KvmException(Kind.UNREACHABLE, "Cannot connect to libvirt host " + uri + ": " + detail, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            opening.cancel(false);
            throw new KvmException(Kind.UNREACHABLE, "Interrupted while connecting to " + uri, e);
        }
    }

    /** False for a connection that broke (the daemon went away, the network dropped). */
    public static boolean isAlive(Connect connect) {
        try {
            return connect.isAlive();
        } catch (LibvirtException e) {
            return false;
        }
    }

    public static void closeQuietly(Connect connect) {
        if (connect == null) {
            return;
        }
        try {
            connect.close();
        } catch (LibvirtException e) {
            // Already broken; nothing left to release.
        }
    }

    /**
     * True for URIs that reach the libvirtd of this machine ({@code qemu:///system},
     * {@code qemu+unix:///system}, {@code test:///default}): only there do this machine's file
     * paths mean the same as the host's.
     */
    public static boolean isLocal(String uri) {
        try {
            String host = new URI(uri).getHost();
            return host == null || host.isEmpty() || host.equals("localhost") || host.equals("127.0.0.1");
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** libvirt's own one-line message, without the Java wrapping. */
    public static String detail(LibvirtException e) {
        return e.getError() != null && e.getError().getMessage() != null ? e.getError().getMessage() : String.valueOf(e.getMessage());
    }

    /** True if libvirt reported this error code. */
    public static boolean hasCode(LibvirtException e, ErrorNumber code) {
        return e.getError() != null && e.getError().getCode() == code;
    }
}
