package io.lifeboat.appliance.backup;

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
final class PullBackup {
    private final Domain domain;
    private boolean ended;

    private PullBackup(Domain domain) {
        this.domain = domain;
    }

    static PullBackup begin(Domain domain, String backupXml, String checkpointXml) throws LibvirtException {
        domain.backupBegin(backupXml, checkpointXml, 0);
        return new PullBackup(domain);
    }

    /** The backup XML of the domain's running backup job, if it has one. */
    static Optional<String> active(Domain domain) throws LibvirtException {
        try {
            return Optional.of(domain.getBackupXMLDesc(0));
        } catch (LibvirtException e) {
            ErrorNumber code = e.getError().getCode();
            if (code == ErrorNumber.VIR_ERR_NO_DOMAIN_BACKUP || code == ErrorNumber.VIR_ERR_OPERATION_INVALID) {
                return Optional.empty(); // no job, or the domain is not running
            }
            throw e;
        }
    }

    /** Ends the job and waits until libvirt no longer reports it. Idempotent. */
    void end(Duration timeout) throws LibvirtException, BackupException {
        if (!ended) {
            abort(domain, timeout);
            ended = true;
        }
    }

    boolean ended() {
        return ended;
    }

    static void abort(Domain domain, Duration timeout) throws LibvirtException, BackupException {
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
                throw new BackupException(BackupException.Kind.FAILED, "libvirt did not end the backup job within "
                        + timeout.toSeconds() + " s of abortJob");
            }
            try {
                Thread.sleep(20); // polling the condition above; libvirt has no wait call for this
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackupException(BackupException.Kind.FAILED, "interrupted while ending the backup job");
            }
        }
    }
}
