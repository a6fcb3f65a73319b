package io.lifeboat.appliance.backup;

import io.lifeboat.kvm.KvmException;
import io.lifeboat.kvm.blockjob.Checkpoints;
import io.lifeboat.kvm.blockjob.PullBackup;
import io.lifeboat.kvm.qemu.QemuNbd;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Undoes what backup jobs of a crashed appliance left behind, at start-up:
 * <ol>
 * <li>each run directory not belonging to a live job: the libvirt backup job whose socket lies in
 * it is ended, the checkpoint it names is deleted unless a restore point names it, and the
 * directory (socket, scratch files) is removed;</li>
 * <li>each domain without a live job: a backup job serving a socket under the run root is ended,
 * and this store's checkpoints ({@code lifeboat-<store id>-*}) no restore point names are
 * deleted.</li>
 * </ol>
 * Domains that disappear while this runs are skipped. Several appliances may share a libvirt host
 * as long as their run roots differ: checkpoints carry the store id.
 */
final class Recovery {
    private final Store store;
    private final Connect conn;
    private final Path runRoot;
    private final Duration jobEndTimeout;
    private final List<String> actions = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    Recovery(Store store, Connect conn, Path runRoot, Duration jobEndTimeout) {
        this.store = store;
        this.conn = conn;
        this.runRoot = runRoot.toAbsolutePath();
        this.jobEndTimeout = jobEndTimeout;
    }

    RecoveryReport run(Set<String> liveJobs, Set<String> liveVms) throws BackupException {
        try {
            for (RunDirectory dir : RunDirectory.list(runRoot)) {
                if (!liveJobs.contains(dir.jobId())) {
                    runDirectory(dir, liveVms);
                }
            }
        } catch (IOException e) {
            failures.add("listing " + runRoot + ": " + e);
        }
        try {
            for (Domain d : conn.listAllDomains(0)) {
                String vm;
                try {
                    vm = d.getName();
                } catch (LibvirtException e) {
                    continue; // undefined meanwhile
                }
                if (!liveVms.contains(vm)) {
                    domain(d, vm);
                }
            }
        } catch (LibvirtException e) {
            throw new BackupException(BackupException.Kind.FAILED, "recovery: listing domains: " + e.getError().getMessage(), e);
        }
        return new RecoveryReport(actions, failures);
    }

    private void runDirectory(RunDirectory dir, Set<String> liveVms) {
        Optional<Properties> state = dir.readState();
        String vm = state.map(p -> p.getProperty("vm")).orElse(null);
        String checkpoint = state.map(p -> p.getProperty("checkpoint")).orElse(null);
        if (vm != null && !liveVms.contains(vm)) {
            try {
                Domain d = lookup(vm);
                if (d != null) {
                    if (dir.mayHaveFrozen()) {
                        thaw(d, vm, dir.jobId());
                    }
                    endJobServing(d, vm, dir.path());
                    if (checkpoint != null && !CheckpointChain.referenced(store, vm).contains(checkpoint)
                            && Checkpoints.delete(d, checkpoint)) {
                        actions.add("deleted checkpoint " + checkpoint + " of " + vm + " left by job " + dir.jobId());
                    }
                }
            } catch (LibvirtException | StoreException | KvmException e) {
                failures.add("job " + dir.jobId() + " of " + vm + ": " + BackupRun.message(e));
            }
        }
        try (java.util.stream.Stream<Path> entries = java.nio.file.Files.list(dir.path())) {
            for (Path served : entries.filter(p -> p.getFileName().toString().startsWith("qemu-nbd-")).toList()) {
                if (QemuNbd.stopLeftover(served)) {
                    actions.add("stopped qemu-nbd left serving " + served.getFileName() + " by job " + dir.jobId());
                }
            }
        } catch (IOException e) {
            failures.add("stopping qemu-nbd of job " + dir.jobId() + ": " + e);
        }
        try {
            dir.delete();
            actions.add("removed run directory " + dir.path());
        } catch (IOException e) {
            failures.add("removing " + dir.path() + ": " + e);
        }
    }

    private void domain(Domain d, String vm) {
        try {
            if (d.isActive() == 1) {
                endJobServing(d, vm, runRoot);
            }
            List<String> warnings = new ArrayList<>();
            for (String cp : CheckpointChain.prune(store, d, vm, Set.of(), warnings)) {
                actions.add("deleted checkpoint " + cp + " of " + vm + " that no restore point names");
            }
            failures.addAll(warnings);
        } catch (LibvirtException e) {
            if (e.getError().getCode() != ErrorNumber.VIR_ERR_NO_DOMAIN) {
                failures.add(vm + ": " + BackupRun.message(e));
            }
        } catch (StoreException | KvmException e) {
            failures.add(vm + ": " + BackupRun.message(e));
        }
    }

    /**
     * The job died between freezing the guest's file systems and thawing them (the appliance was
     * killed): thaw them, or the guest's writes would hang until someone does.
     */
    private void thaw(Domain d, String vm, String job) {
        try {
            if (d.isActive() != 1) {
                return; // a VM shut off since has nothing frozen
            }
            String answer = d.qemuAgentCommand(GuestQuiesce.THAW, (int) Math.max(1, jobEndTimeout.toSeconds()), 0);
            actions.add("thawed the file systems of " + vm + ", frozen by job " + job + " when the appliance stopped ("
                    + answer.replaceAll("\\s", "") + ")");
        } catch (LibvirtException e) {
            failures.add("could not thaw the file systems of " + vm + " that job " + job + " may have frozen: "
                    + BackupRun.message(e) + "; thaw them with virsh domfsthaw " + vm);
        }
    }

    private void endJobServing(Domain d, String vm, Path under) throws LibvirtException, KvmException {
        Optional<String> xml = PullBackup.active(d);
        if (xml.isPresent() && xml.get().contains(under.toString())) {
            PullBackup.abort(d, jobEndTimeout);
            actions.add("ended libvirt backup job of " + vm);
        }
    }

    private Domain lookup(String vm) throws LibvirtException {
        try {
            return conn.domainLookupByName(vm);
        } catch (LibvirtException e) {
            if (e.getError().getCode() == ErrorNumber.VIR_ERR_NO_DOMAIN) {
                return null;
            }
            throw e;
        }
    }
}
