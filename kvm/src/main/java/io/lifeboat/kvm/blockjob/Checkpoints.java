package io.lifeboat.kvm.blockjob;

import java.util.Arrays;
import java.util.List;

import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

import io.lifeboat.kvm.domain.BackupXml;
import io.lifeboat.kvm.libvirt.LibvirtConnection;

/**
 * A domain's libvirt checkpoints: the disk bitmaps an incremental backup reads the changed blocks
 * from. They are created with a backup job ({@link BackupXml#checkpoint}, given to
 * {@link PullBackup#begin}); this class lists and deletes them.
 */
public final class Checkpoints {
    private Checkpoints() {
    }

    /** The names of the domain's checkpoints. */
    public static List<String> names(Domain domain) throws LibvirtException {
        return Arrays.asList(domain.checkpointListNames(0));
    }

    /**
     * Asks by listing: libvirt-java's checkpointLookupByName returns a dead handle instead of
     * throwing when the checkpoint does not exist.
     */
    public static boolean exists(Domain domain, String checkpoint) throws LibvirtException {
        return names(domain).contains(checkpoint);
    }

    /** Deletes the checkpoint (merging its bitmap into its parent's); true if it existed. */
    public static boolean delete(Domain domain, String checkpoint) throws LibvirtException {
        if (!exists(domain, checkpoint)) {
            return false;
        }
        try {
            domain.checkpointLookupByName(checkpoint).delete(0);
            return true;
        } catch (LibvirtException e) {
            if (LibvirtConnection.hasCode(e, ErrorNumber.VIR_ERR_NO_DOMAIN_CHECKPOINT)) {
                return false; // deleted meanwhile
            }
            throw e;
        }
    }
}
