package io.lifeboat.kvm.blockjob;

import io.lifeboat.kvm.KvmException.Kind;
import io.lifeboat.kvm.KvmException;
import io.lifeboat.kvm.libvirt.LibvirtConnection;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

import java.time.Duration;
import java.util.Optional;

/**
 * A libvirt pull-mode backup job on one domain: {@code virDomainBackupBegin} starts it (the NBD
 * server appears on the socket named in the backup XML), {@code virDomainAbortJob} ends it, which
 * is also how a successful pull backup is finished. libvirt allows one backup job per domain.
 */
public final class PullBackup {
    private final Domain domain;
    private boolean ended;

    private PullBackup(Domain domain) {
        this.domain = domain;
    }

    public static PullBackup begin(Domain domain, String backupXml, String checkpointXml) throws LibvirtException {
        domain.backupBegin(backupXml, checkpointXml, 0);
        return new PullBackup(domain);
    }

    /** The backup XML of the domain's running backup job, if it has one. */
    public static Optional<String> active(Domain domain) throws LibvirtException {
        try {
            return Optional.of(domain.getBackupXMLDesc(0));
        } catch (LibvirtException e) {
            if (LibvirtConnection.hasCode(e, ErrorNumber.VIR_ERR_NO_DOMAIN_BACKUP)
                    || LibvirtConnection.hasCode(e, ErrorNumber.VIR_ERR_OPERATION_INVALID)) {
                return Optional.empty(); // no job, or the domain is not running
            }
            throw e;
        }
    }

    /** Ends the job and waits until libvirt no longer reports it. Idempotent. */
    public void end(Duration timeout) throws LibvirtException, KvmException {
        if (!ended) {
            abort(domain, timeout);
            ended = true;
        }
    }

    public boolean ended() {
        return ended;
    }

    /** Ends the domain's backup job, if it has one, and waits until libvirt no longer reports it. */
    public static void abort(Domain domain, Duration timeout) throws LibvirtException, KvmException {
        try {
            domain.abortJob();
        } catch (LibvirtException e) {
            if (active(domain).isEmpty()) {
                return; // already gone (the domain stopped, or libvirt ended it)
            }
            throw e;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (active(domain).isPresent()) {
            if (System.nanoTime() > deadline) {
                throw new KvmException(Kind.TIMEOUT, "libvirt did not end the backup job within "
                        + timeout.toSeconds() + " s of abortJob");
            }
            try {
                Thread.sleep(20); // polling the condition above; libvirt has no wait call for this
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KvmException(Kind.FAILED, "interrupted while ending the backup job");
            }
        }
    }
}
