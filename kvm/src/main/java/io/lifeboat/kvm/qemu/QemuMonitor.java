package io.lifeboat.kvm.qemu;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.w3c.dom.Element;

import io.lifeboat.kvm.KvmException;
import io.lifeboat.kvm.domain.DomainXml;
import io.lifeboat.kvm.domain.XmlDocuments;

/**
 * Human monitor (HMP) commands to a running domain's QEMU, sent through libvirt. libvirt waits
 * for QEMU's answer as long as it takes, and its Java binding cannot be interrupted, so each call
 * runs on a thread of its own and the caller waits at most its time limit: a QEMU that never
 * answers costs a parked thread, not a stuck recovery.
 */
public final class QemuMonitor {
    /** VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP */
    private static final int HMP = 1;
    static final long LIMIT_SECONDS = 10;
    private static final Duration LIMIT = Duration.ofSeconds(LIMIT_SECONDS);
    private static final ExecutorService CALLS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "qemu-monitor");
        t.setDaemon(true);
        return t;
    });

    private QemuMonitor() {
    }

    /** Runs one HMP command and returns what QEMU printed, within {@code limit}. */
    public static String hmp(Domain domain, String command, Duration limit) throws LibvirtException, KvmException {
        return within(limit, "QEMU's monitor call \"" + command + "\"", () -> domain.qemuMonitorCommand(command, HMP));
    }

    /** What a libvirt call may do: return, or throw libvirt's exception. */
    @FunctionalInterface
    interface LibvirtCall<T> {
        T call() throws LibvirtException;
    }

    /** Runs {@code call} on a thread of its own and waits at most {@code limit} for it. */
    static <T> T within(Duration limit, String what, LibvirtCall<T> call) throws LibvirtException, KvmException {
        Future<T> running = CALLS.submit(call::call);
        try {
            return running.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            running.cancel(true);
            throw new KvmException(KvmException.Kind.TIMEOUT, what + " did not return within " + limit.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            running.cancel(true);
            Thread.currentThread().interrupt();
            throw new KvmException(KvmException.Kind.FAILED, "interrupted while waiting for " + what, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof LibvirtException le) {
                throw le;
            }
            throw new KvmException(KvmException.Kind.FAILED, what + " failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Reads a sector of a disk's NBD backing store through QEMU (the monitor's {@code qemu-io} on
     * the backing store's node), outside the guest's view: QEMU's NBD client notices that its
     * connection is gone, and starts to reconnect, only when it sends a request. The read fails
     * until the client is connected; that is expected. Does nothing for a disk without one. Waits at
     * most {@value #LIMIT_SECONDS} s for QEMU.
     */
    public static void readNbdBacking(Domain domain, String target) throws LibvirtException, KvmException {
        String node = nbdNode(domain, target);
        if (node != null) {
            hmp(domain, "qemu-io " + node + " \"read 0 512\"", LIMIT);
        }
    }

    /** libvirt's node name of the disk's NBD backing store, {@code libvirt-<index>-format}; null without one. */
    private static String nbdNode(Domain domain, String target) throws LibvirtException {
        Element disk = DomainXml.parse(domain.getXMLDesc(0)).diskElement(target).orElse(null);
        Element backing = disk == null ? null : XmlDocuments.child(disk, "backingStore");
        if (backing != null && "network".equals(backing.getAttribute("type")) && !backing.getAttribute("index").isEmpty()) {
            return "libvirt-" + backing.getAttribute("index") + "-format";
        }
        return null;
    }
}
