package io.lifeboat.restore;

import io.lifeboat.store.Progress;
import io.lifeboat.store.StoreException;

/**
 * Restores a restore point as a VM (new, clone, or over the original) or as single disk images:
 * plan (every check, nothing written), write the disks sparse through staging files, move them
 * into place, define the remapped domain, start it if asked. See docs/restore.md.
 *
 * <p>Progress phases: {@code check}, {@code restore <disk>}, {@code convert <disk>} (qcow2 only),
 * {@code define}, {@code start}, each with bytes done out of the disk's size where that applies.
 */
public final class VmRestore {
    private final RestoreSource source;
    private final RestorePlanner planner;

    public VmRestore(RestoreSource source) {
        this.source = source;
        this.planner = new RestorePlanner(source);
    }

    /** Checks the request as {@link #restore} would, writing nothing and changing nothing in libvirt. */
    public RestorePlan plan(RestoreRequest request) throws StoreException {
        try (LibvirtHost host = RestorePlanner.needsLibvirt(request) ? LibvirtHost.connect(request.uri()) : null) {
            return planner.plan(request, host);
        }
    }

    public RestoreResult restore(RestoreRequest request, Progress progress) throws StoreException {
        progress.phase("check", 0);
        try (LibvirtHost host = RestorePlanner.needsLibvirt(request) ? LibvirtHost.connect(request.uri()) : null) {
            RestorePlan plan = planner.plan(request, host);
            try (StagedDisks disks = new StagedDisks(plan.targets(), request.format())) {
                disks.write(source, progress);
                if (plan.definesVm() || request.mode() == RestoreMode.OVER_ORIGINAL) {
                    // libvirt may have changed while the disks were written: a VM defined under
                    // the name, or the original started. Check again before touching anything.
                    planner.plan(request, host);
                }
                disks.commit();
                boolean started = false;
                if (plan.definesVm()) {
                    progress.phase("define", 0);
                    try {
                        host.define(plan.domainXml());
                    } catch (RestoreException e) {
                        if (!plan.replacesVm()) {
                            disks.removeCreated(); // a new VM that could not be defined leaves no files behind
                        }
                        throw e;
                    }
                    if (request.start()) {
                        progress.phase("start", 0);
                        host.start(plan.name());
                        started = true;
                    }
                }
                if (plan.pool() != null) {
                    host.refreshPool(plan.pool());
                }
                return new RestoreResult(plan.name(), plan.uuid(), request.uri(), request.mode(), plan.diskFiles(),
                        plan.definesVm(), started, plan.macs(), plan.notes());
            }
        }
    }
}
