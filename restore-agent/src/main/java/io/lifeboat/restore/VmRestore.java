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

    /** Restores, cancelled by an interrupt of the calling thread until the disks are moved into place. */
    public RestoreResult restore(RestoreRequest request, Progress progress) throws StoreException {
        return restore(request, progress, Cancellation.ofCurrentThread());
    }

    /**
     * Restores, to be cancelled through {@code cancel} (which the caller has bound to this thread)
     * until the disks begin to move into place: a cancelled restore throws and leaves nothing
     * behind (no staging file, no target file, no VM, the original's disks as they were). From
     * that point on it finishes whatever is asked.
     */
    public RestoreResult restore(RestoreRequest request, Progress progress, Cancellation cancel) throws StoreException {
        progress.phase("check", 0);
        try (LibvirtHost host = connect(request, cancel)) {
            RestorePlan plan = planner.plan(request, host);
            try (StagedDisks disks = new StagedDisks(plan.targets(), request.format())) {
                try {
                    cancel.check();
                    disks.write(source, progress, cancel);
                    cancel.check();
                    if (plan.definesVm() || request.mode() == RestoreMode.OVER_ORIGINAL) {
                        // libvirt may have changed while the disks were written: a VM defined under
                        // the name, or the original started. Check again before touching anything.
                        planner.plan(request, host);
                    }
                    cancel.commit();
                } catch (StoreException e) {
                    throw cancel.cancelledOr(e);
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

    /** The restore's libvirt host, if it needs one; a cancel while connecting is the cancel's error. */
    private static LibvirtHost connect(RestoreRequest request, Cancellation cancel) throws StoreException {
        try {
            return RestorePlanner.needsLibvirt(request) ? LibvirtHost.connect(request.uri()) : null;
        } catch (StoreException e) {
            throw cancel.cancelledOr(e);
        }
    }
}
