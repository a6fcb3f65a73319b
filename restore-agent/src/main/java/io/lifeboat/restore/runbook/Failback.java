package io.lifeboat.restore.runbook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.lifeboat.kvm.domain.Disk;
import io.lifeboat.kvm.domain.DomainXml;
import io.lifeboat.kvm.qemu.QemuNbd;
import io.lifeboat.restore.LibvirtHost;
import io.lifeboat.restore.RestoreSource;
import io.lifeboat.restore.runbook.RunRecord.Step;
import io.lifeboat.restore.runbook.RunRecord.VmRun;
import io.lifeboat.restore.runbook.RunbookRunner.Halt;
import io.lifeboat.store.Progress;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.read.DiskPatcher;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * The steps of a failback (docs/runbooks.md, "Failback"): the VMs a failover brought back at the
 * recovery site go home to the primary with the data they wrote there.
 *
 * <p>While the recovered VMs keep running: each is backed up ({@code sync}, through
 * {@link FailbackBackups}: a restore point in the runner's store) and that point is written into
 * the original VM's own disk images at the primary ({@code restore}; the original must be shut
 * off). Then, once the cutover is approved: the recovered VMs are shut down, last group first;
 * per group, each is backed up once more ({@code final}: stopped, only what it wrote since the
 * sync, read from its disks' checkpoint bitmaps), only the chunks that differ between the two
 * points are written into the original's images ({@code apply}), and the originals are started and
 * checked. The recovered VMs stay defined, shut off, at the recovery site: a cancel starts them
 * again (and stops the originals).
 *
 * <p>Every write into an image is idempotent (the whole point again, or the same difference
 * again), so a step that was interrupted is simply run again by a resume.
 */
final class Failback {
    private static final int INACTIVE = 2; // VIR_DOMAIN_XML_INACTIVE
    private static final Duration DEFAULT_SHUTDOWN = Duration.ofMinutes(2);

    private final RestoreSource source;
    private final RunStore runs;
    private final RunbookRunner.Site site;
    private final FailbackBackups backups;

    Failback(RestoreSource source, RunStore runs, RunbookRunner.Site site, FailbackBackups backups) {
        this.source = source;
        this.runs = runs;
        this.site = site;
        this.backups = backups;
    }

    static final String CUTOVER = "cutover";

    static List<Step> plan(Runbook rb) {
        List<Step> steps = new ArrayList<>();
        for (Runbook.Group g : rb.groups()) {
            for (Runbook.Vm v : g.vms()) {
                steps.add(new Step("sync:" + v.vm(), "sync", g.name(), v.vm()));
                steps.add(new Step("restore:" + v.vm(), "restore", g.name(), v.vm()));
            }
        }
        steps.add(new Step("approval:" + CUTOVER, "approval", null, null));
        for (int i = 0; i < rb.pre().size(); i++) {
            steps.add(new Step("pre:" + (i + 1), "hook", null, null));
        }
        List<Runbook.Group> reversed = new ArrayList<>(rb.groups());
        java.util.Collections.reverse(reversed);
        for (Runbook.Group g : reversed) {
            g.vms().forEach(v -> steps.add(new Step("shutdown:" + v.vm(), "shutdown", g.name(), v.vm())));
        }
        for (Runbook.Group g : rb.groups()) {
            g.vms().forEach(v -> steps.add(new Step("final:" + v.vm(), "final", g.name(), v.vm())));
            g.vms().forEach(v -> steps.add(new Step("apply:" + v.vm(), "apply", g.name(), v.vm())));
            g.vms().forEach(v -> steps.add(new Step("start:" + v.vm(), "start", g.name(), v.vm())));
            g.vms().forEach(v -> steps.add(new Step("checks:" + v.vm(), "checks", g.name(), v.vm())));
            if (!g.pause().isZero()) {
                steps.add(new Step("wait:" + g.name(), "wait", g.name(), null));
            }
        }
        for (int i = 0; i < rb.post().size(); i++) {
            steps.add(new Step("post:" + (i + 1), "hook", null, null));
        }
        return steps;
    }

    static String approvalQuestion() {
        return "cut over: the recovered VMs are shut down, their last changes copied, and the originals started at the primary";
    }

    /** The primary's libvirt URI: the runbook's {@code primary.target}, else the runner's own host. */
    String primary(Runbook rb) {
        return rb.primary() != null ? rb.primary().target() : site.defaultTarget();
    }

    /** The VM's record: the original at the primary ({@code name}, {@code target}), and where it was recovered. */
    synchronized VmRun vm(RunRecord run, Runbook rb, Runbook.Vm vm, String group) throws Halt {
        Optional<VmRun> existing = run.vm(vm.vm());
        if (existing.isPresent()) {
            return existing.get();
        }
        if (vm.target() == null) {
            throw new Halt("the runbook does not say on which host " + vm.vm() + " was recovered (target:); failback"
                    + " reads it from there");
        }
        VmRun v = new VmRun();
        v.vm = vm.vm();
        v.group = group;
        v.name = vm.vm();
        v.target = primary(rb);
        v.from = vm.as();
        v.fromTarget = vm.target();
        v.mode = "failback";
        if (v.from.equals(v.name) && v.fromTarget.equals(v.target)) {
            throw new Halt(vm.vm() + " was recovered on the primary itself (" + v.target + ") under its own name: there"
                    + " is nothing to fail back");
        }
        run.vms.add(v);
        return v;
    }

    String sync(RunRecord run, Runbook rb, Runbook.Vm vm, String group) throws Halt, StoreException, InterruptedException {
        VmRun v = vm(run, rb, vm, group);
        try (LibvirtHost host = LibvirtHost.connect(v.fromTarget)) {
            recovered(host, v); // it must be there
        }
        FailbackBackups.Backup b = backup(v);
        synchronized (this) {
            v.syncPoint = b.point().toString();
            runs.write(run);
        }
        return v.from + " on " + v.fromTarget + " backed up while it runs: " + b.point() + " (" + b.summary() + ")";
    }

    /** The sync point written over the original's disks, whole. */
    String restore(RunRecord run, Runbook.Vm vm) throws Halt, StoreException, InterruptedException {
        VmRun v = record(run, vm);
        Manifest m = source.manifest(RestorePointId.parse(v.syncPoint));
        Map<String, Path> files = originalFiles(v, m);
        long written = 0;
        for (DiskMap d : m.disks()) {
            written += patch(null, d, files.get(d.name())).bytesWritten();
        }
        synchronized (this) {
            v.files = new ArrayList<>(files.values().stream().map(Path::toString).toList());
            runs.write(run);
        }
        return m.id() + " written into " + v.name + "'s disks at " + v.target + " (" + written + " bytes of data)";
    }

    String shutdown(RunRecord run, Runbook rb, Runbook.Vm vm) throws Halt, StoreException, InterruptedException {
        VmRun v = record(run, vm);
        Duration timeout = rb.primary() != null ? rb.primary().timeout() : DEFAULT_SHUTDOWN;
        synchronized (this) {
            if (v.cutoverAt == null) {
                v.cutoverAt = Instant.now().toString(); // the recovered VM stops serving from here on
                runs.write(run);
            }
        }
        try (LibvirtHost host = LibvirtHost.connect(v.fromTarget)) {
            Domain d = recovered(host, v);
            if (d.isActive() != 1) {
                return v.from + " is shut off at " + v.fromTarget;
            }
            long t0 = System.nanoTime();
            d.shutdown();
            synchronized (this) {
                v.recoveredShutDown = true;
                runs.write(run);
            }
            long deadline = t0 + timeout.toNanos();
            while (d.isActive() == 1) {
                if (System.nanoTime() > deadline) {
                    throw new Halt(v.from + " did not shut down at " + v.fromTarget + " within " + timeout.toSeconds()
                            + " s; shut it down there (or force it off), then resume");
                }
                Thread.sleep(500); // polling the domain's state until its deadline
            }
            return v.from + " shut down at " + v.fromTarget + " in " + (System.nanoTime() - t0) / 1_000_000_000 + " s";
        } catch (LibvirtException e) {
            throw new Halt("cannot shut " + v.from + " down at " + v.fromTarget + ": " + e.getMessage());
        }
    }

    String finalBackup(RunRecord run, Runbook.Vm vm) throws Halt, StoreException, InterruptedException {
        VmRun v = record(run, vm);
        try (LibvirtHost host = LibvirtHost.connect(v.fromTarget)) {
            Domain d = recovered(host, v);
            if (d.isActive() == 1) {
                throw new Halt(v.from + " runs again at " + v.fromTarget + "; its last changes are read once it is shut off");
            }
        } catch (LibvirtException e) {
            throw new Halt("cannot read the state of " + v.from + " at " + v.fromTarget + ": " + e.getMessage());
        }
        FailbackBackups.Backup b = backup(v);
        synchronized (this) {
            v.restorePoint = b.point().toString();
            v.pointTime = b.point().time().toString();
            v.rpoSeconds = 0L; // taken after the recovered VM stopped: nothing it wrote is left behind
            runs.write(run);
        }
        return v.from + " backed up shut off: " + b.point() + " (" + b.summary() + ")";
    }

    /** Only the chunks that differ between the sync point and the final one, into the original's disks. */
    String apply(RunRecord run, Runbook.Vm vm) throws Halt, StoreException, InterruptedException {
        VmRun v = record(run, vm);
        Manifest from = source.manifest(RestorePointId.parse(v.syncPoint));
        Manifest to = source.manifest(RestorePointId.parse(v.restorePoint));
        Map<String, Path> files = originalFiles(v, to);
        long slots = 0;
        long bytes = 0;
        for (DiskMap d : to.disks()) {
            DiskMap before = from.disk(d.name());
            if (before != null && (before.size() != d.size() || before.chunkSize() != d.chunkSize())) {
                throw new Halt("disk " + d.name() + " of " + v.from + " changed size since the sync; fail back again"
                        + " from the start (cancel, then a new failback)");
            }
            DiskPatcher.Result r = patch(before, d, files.get(d.name()));
            slots += r.slotsWritten();
            bytes += r.bytesWritten() + r.zeroBytesWritten();
        }
        return slots + " changed chunk(s) (" + bytes + " bytes) from " + to.id() + " written into " + v.name + "'s disks";
    }

    String startOriginal(RunRecord run, Runbook.Vm vm) throws Halt, StoreException {
        VmRun v = record(run, vm);
        try (LibvirtHost host = LibvirtHost.connect(v.target)) {
            Domain d = host.domain(v.name).orElseThrow(() -> new Halt(v.name + " is not defined at " + v.target));
            synchronized (this) {
                v.startedAt = Instant.now().toString();
                v.greenAt = null;
                runs.write(run);
            }
            if (d.isActive() != 1) {
                d.create();
            }
            synchronized (this) {
                v.originalStarted = true;
                runs.write(run);
            }
            return v.name + " started at " + v.target + " from " + v.restorePoint;
        } catch (LibvirtException e) {
            throw new Halt("cannot start " + v.name + " at " + v.target + ": " + e.getMessage());
        }
    }

    /**
     * Undoes a failback: the originals it started are stopped, the recovered VMs it shut down are
     * started again, at the recovery site, where they ran before. The originals' disks keep what was
     * written into them (the original was shut off and stale before).
     */
    void undo(RunRecord run, List<String> problems) throws StoreException {
        List<VmRun> reversed = new ArrayList<>(run.vms);
        java.util.Collections.reverse(reversed);
        for (VmRun v : reversed) {
            try {
                if (v.originalStarted) {
                    try (LibvirtHost host = LibvirtHost.connect(v.target)) {
                        Optional<Domain> d = host.domain(v.name);
                        if (d.isPresent() && d.get().isActive() == 1) {
                            d.get().destroy();
                        }
                    }
                    v.originalStarted = false;
                }
                if (v.recoveredShutDown) {
                    try (LibvirtHost host = LibvirtHost.connect(v.fromTarget)) {
                        Optional<Domain> d = host.domain(v.from);
                        if (d.isPresent() && d.get().isActive() != 1) {
                            d.get().create();
                        }
                    }
                    v.recoveredShutDown = false;
                }
            } catch (StoreException | LibvirtException e) {
                problems.add(v.name + ": " + e.getMessage());
            }
            runs.write(run);
        }
    }

    // --- helpers ---

    private FailbackBackups.Backup backup(VmRun v) throws Halt, StoreException, InterruptedException {
        if (backups == null) {
            throw new Halt("failback runs in the appliance at the primary site, which backs the recovered VMs up into"
                    + " its store; this runner has no backup engine");
        }
        return backups.backup(v.fromTarget, v.from);
    }

    private static VmRun record(RunRecord run, Runbook.Vm vm) throws Halt {
        return run.vm(vm.vm()).orElseThrow(() -> new Halt(vm.vm() + " was not synced by this run"));
    }

    private static Domain recovered(LibvirtHost host, VmRun v) throws Halt, StoreException {
        return host.domain(v.from).orElseThrow(() -> new Halt("there is no VM " + v.from + " on " + v.fromTarget
                + " to fail back"));
    }

    /**
     * The original's file-backed disks for each disk of {@code m}, by target; the original must be
     * defined at the primary and shut off, and have every disk the point has.
     */
    private static Map<String, Path> originalFiles(VmRun v, Manifest m) throws Halt, StoreException {
        try (LibvirtHost host = LibvirtHost.connect(v.target)) {
            Domain d = host.domain(v.name).orElseThrow(() -> new Halt(v.name + " is not defined at the primary " + v.target
                    + "; define it there (restore one of its restore points), then resume"));
            if (d.isActive() == 1) {
                throw new Halt(v.name + " runs at the primary " + v.target + ": shut it down there, failback writes its"
                        + " disks (the recovered " + v.from + " is production now)");
            }
            Map<String, Path> byTarget = new LinkedHashMap<>();
            for (Disk disk : DomainXml.parse(d.getXMLDesc(INACTIVE)).disks()) {
                if ("disk".equals(disk.device()) && "file".equals(disk.sourceType()) && disk.path() != null) {
                    byTarget.put(disk.target(), Path.of(disk.path()));
                }
            }
            Map<String, Path> out = new LinkedHashMap<>();
            for (DiskMap dm : m.disks()) {
                Path f = byTarget.get(dm.name());
                if (f == null) {
                    throw new Halt(v.name + " at " + v.target + " has no file-backed disk " + dm.name() + ", which "
                            + v.from + " has");
                }
                out.put(dm.name(), f);
            }
            return out;
        } catch (LibvirtException e) {
            throw new Halt("cannot read " + v.name + " at " + v.target + ": " + e.getMessage());
        }
    }

    private DiskPatcher.Result patch(DiskMap from, DiskMap to, Path image) throws StoreException, Halt {
        Path work;
        try {
            work = Files.createTempDirectory("lb-failback"); // short: qemu-nbd's unix socket lives in it
        } catch (IOException e) {
            throw new Halt("cannot create a working directory: " + e.getMessage());
        }
        try {
            return DiskPatcher.patch(source.chunks(), from, to, image, work.resolve("nbd"), Progress.none());
        } finally {
            try {
                QemuNbd.stopLeftover(work.resolve("nbd"));
                Files.deleteIfExists(work.resolve("nbd"));
                Files.deleteIfExists(work);
            } catch (IOException ignored) {
                // a temporary directory left in /tmp
            }
        }
    }
}
