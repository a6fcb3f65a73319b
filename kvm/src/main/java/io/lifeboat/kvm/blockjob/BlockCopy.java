package io.lifeboat.kvm.blockjob;

import io.lifeboat.kvm.KvmException.Kind;
import io.lifeboat.kvm.KvmException;
import io.lifeboat.kvm.domain.DomainXml;
import io.lifeboat.kvm.domain.XmlDocuments;
import io.lifeboat.kvm.libvirt.LibvirtConnection;
import org.libvirt.Domain;
import org.libvirt.DomainBlockJobInfo;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.TypedParameter;
import org.libvirt.TypedUlongParameter;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.LongConsumer;

/**
 * Moves one disk of a running VM off its backing chain: libvirt's block copy (QEMU's
 * drive-mirror) reads the whole chain (the overlay and the NBD export behind it) into a new flat
 * qcow2 image while mirroring the guest's new writes into it, and once source and copy are in step
 * the VM is pivoted onto the copy. After that the disk has no backing chain and the export is not
 * read any more.
 *
 * <p>Block copy rather than block pull: libvirt-java has no binding for {@code virDomainBlockPull},
 * and the copy gives the same end state (one flat image holding the restore point plus every
 * write made meanwhile) with a fresh image instead of an overlay grown to full size. The job is
 * transient (libvirt's requirement for a persistent domain); libvirt writes the pivoted image into
 * the persistent definition itself.
 *
 * <p>The pivot is tried at every poll once the job has been ready (libvirt's {@code ready='yes'} on
 * the disk's {@code <mirror>}, or cur == end seen once): on a guest that keeps writing, cur rarely
 * equals end again, and a refusal because the job is not ready just means "not yet".
 */
public final class BlockCopy {
    private static final Duration POLL = Duration.ofMillis(200);

    private BlockCopy() {
    }

    /**
     * Copies {@code target} into {@code image} at up to {@code bandwidth} bytes/s (0: unlimited)
     * and pivots; {@code progress} is told each advance of the job, in bytes. Throws if the job ends without reaching the
     * pivot (QEMU gives up on a read error of the export, say), leaving the VM on its overlay.
     */
    public static void copyAndPivot(Domain domain, String target, Path image, long bandwidth, LongConsumer progress)
            throws LibvirtException, InterruptedException, KvmException {
        String dest = destination(image);
        // always one parameter (0 is libvirt's "no limit"): libvirt-java fails on an empty array
        TypedParameter[] params = {new TypedUlongParameter(Domain.BlockCopyParameters.BANDWIDTH, Math.max(0, bandwidth))};
        domain.blockCopy(target, dest, params, Domain.BlockCopyFlags.TRANSIENT_JOB);
        long reported = 0;
        boolean ready = false;
        while (true) {
            DomainBlockJobInfo job = domain.getBlockJobInfo(target, 0);
            if (job.type == 0 && job.end == 0) {
                throw new KvmException(Kind.FAILED, "the copy of disk " + target
                        + " ended before it was complete (QEMU could not read the restore point or write " + image
                        + "); the VM still runs on its overlay");
            }
            if (job.cur > reported) {
                progress.accept(job.cur - reported);
                reported = job.cur;
            }
            // Once ready the job stays ready, but a busy guest keeps cur behind end for good: waiting
            // for cur == end again could postpone the pivot forever. QEMU drains what is left as it pivots.
            ready = ready || (job.end > 0 && job.cur == job.end) || mirrorReady(domain, target);
            if (ready && tryPivot(domain, target)) {
                awaitGone(domain, target);
                requirePivoted(domain, target, image);
                return;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** libvirt's own ready flag: {@code <mirror ... ready='yes'>} in the live definition of the disk. */
    private static boolean mirrorReady(Domain domain, String target) throws LibvirtException {
        Element disk = liveDisk(domain, target);
        Element mirror = disk == null ? null : XmlDocuments.child(disk, "mirror");
        return mirror != null && "yes".equals(mirror.getAttribute("ready"));
    }

    /** The pivot is asked for asynchronously: libvirt reports how it went only in the definition. */
    private static void requirePivoted(Domain domain, String target, Path image) throws LibvirtException, KvmException {
        Element disk = liveDisk(domain, target);
        Element source = disk == null ? null : XmlDocuments.child(disk, "source");
        if (source == null || !image.toString().equals(source.getAttribute("file"))) {
            throw new KvmException(Kind.FAILED, "the copy of disk " + target + " ended without the pivot"
                    + " onto " + image + "; the VM still runs on its overlay");
        }
    }

    private static Element liveDisk(Domain domain, String target) throws LibvirtException {
        return DomainXml.parse(domain.getXMLDesc(0)).diskElement(target).orElse(null);
    }

    /** {@code <disk type='file'><source file='IMAGE'/><driver type='qcow2'/></disk>} */
    private static String destination(Path image) {
        Document doc = XmlDocuments.newDocument("disk");
        Element disk = doc.getDocumentElement();
        disk.setAttribute("type", "file");
        XmlDocuments.appendElement(disk, "source", "file", image.toString());
        XmlDocuments.appendElement(disk, "driver", "type", "qcow2");
        return XmlDocuments.write(doc);
    }

    /**
     * Aborts (without pivoting) a block job left on the disk by a copy that an earlier run of the
     * agent started and did not finish, and waits until it is gone: libvirt refuses a second job.
     */
    public static void abortLeftover(Domain domain, String target) throws LibvirtException, InterruptedException {
        if (domain.getBlockJobInfo(target, 0).type != 0) {
            domain.blockJobAbort(target, 0);
            awaitGone(domain, target);
        }
    }

    /** The total the job will count for a disk: its virtual size (the job's end before it starts). */
    public static long size(Domain domain, String target) throws LibvirtException {
        return domain.blockInfo(target).getCapacity();
    }

    /**
     * Asks for the pivot without waiting for it in libvirt (a synchronous pivot holds the domain's
     * job lock while QEMU drains the last writes). False when libvirt says the job is not ready.
     */
    private static boolean tryPivot(Domain domain, String target) throws LibvirtException {
        try {
            domain.blockJobAbort(target, Domain.BlockJobAbortFlags.PIVOT | Domain.BlockJobAbortFlags.ASYNC);
            return true;
        } catch (LibvirtException e) {
            // "block job 'copy' not ready for pivot yet"
            if (LibvirtConnection.hasCode(e, ErrorNumber.VIR_ERR_BLOCK_COPY_ACTIVE)
                    || e.getMessage() != null && e.getMessage().contains("not ready")) {
                return false;
            }
            throw e;
        }
    }

    private static void awaitGone(Domain domain, String target) throws LibvirtException, InterruptedException {
        while (domain.getBlockJobInfo(target, 0).type != 0) {
            Thread.sleep(POLL.toMillis());
        }
    }
}
