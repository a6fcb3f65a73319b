package io.lifeboat.appliance.api;

import java.util.List;
import java.util.UUID;

import io.lifeboat.appliance.restore.InstantRecoveries;
import io.lifeboat.nbd.ExportStatistics;
import io.lifeboat.restore.instant.InstantSession;

/**
 * An instant recovery session as the API shows it: its state (SERVING, COPYING, PIVOTED,
 * FAILED), its VM, the job that follows it now, and per disk what the export has served since
 * this appliance started serving it (null when it is not served).
 */
record InstantRecoveryView(String id, String restorePoint, String vm, String uri, String state, String error,
                           String started, String updated, UUID jobId, boolean serving, boolean copying,
                           List<Disk> disks) {

    /**
     * @param bytesServed bytes the VM (or the copy) read from the export
     * @param dataBytesServed of those, bytes sent as data rather than as holes
     */
    record Disk(String target, String image, String overlay, Long bytesServed, Long dataBytesServed,
                Long connections) {
    }

    static InstantRecoveryView of(InstantRecoveries.Status status) {
        InstantSession s = status.session();
        List<Disk> disks = s.disks().stream().map(d -> {
            ExportStatistics st = status.served().get(d.target());
            return new Disk(d.target(), d.image(), d.overlay(), st == null ? null : st.bytesRead(),
                    st == null ? null : st.dataBytes(), st == null ? null : st.connections());
        }).toList();
        return new InstantRecoveryView(s.id(), s.restorePoint(), s.vm(), s.libvirtUri(), s.state().name(), s.error(),
                s.started(), s.updated(), status.jobId(), status.serving(), status.copying(), disks);
    }
}
