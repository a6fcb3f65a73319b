package io.lifeboat.appliance.backup;

import io.lifeboat.kvm.KvmException;
import io.lifeboat.kvm.blockjob.Checkpoints;
import io.lifeboat.kvm.blockjob.PullBackup;
import io.lifeboat.kvm.domain.BackupXml;
import io.lifeboat.kvm.domain.Disk;
import io.lifeboat.nbd.NbdClient;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.BackupSession;
import io.lifeboat.store.ingest.DiskSource;
import io.lifeboat.store.ingest.Extent;
import io.lifeboat.store.ingest.ImageFiles;
import io.lifeboat.store.ingest.Ingester;
import io.lifeboat.store.ingest.NbdSource;
import io.lifeboat.store.ingest.QemuNbdSource;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One backup job from start to cleanup. Running VM: pull-mode backup with a new checkpoint, one
 * NBD connection per disk, allocated (full) or dirty (incremental) extents into the session.
 * Stopped VM: each image read directly (qcow2 through {@code qemu-nbd --read-only}); when its
 * qcow2 images still carry the bitmap of the newest checkpointed restore point, only what was
 * written since (an offline incremental, as for a failback's final cutover).
 *
 * <p>Cleanup on every exit: NBD connections closed, the libvirt job ended, the checkpoint this job
 * created deleted unless its restore point was committed, the run directory removed, the
 * session aborted unless committed.
 */
final class BackupRun {
    /** The persistent definition, which is what a restore defines again. */
    private static final int VIR_DOMAIN_XML_INACTIVE = 2;
    private static final System.Logger LOG = System.getLogger(BackupRun.class.getName());

    private final Store store;
    private final Ingester ingester;
    private final BackupOptions options;
    private final Connect conn;
    private final Domain domain;
    private final String vm;
    private final DomainDefinition def;
    private final boolean running;
    private final RunDirectory run;
    private final Progress progress;
    private final CancelSignal cancel;
    private final ReadThrottle throttle;

    private final List<String> warnings = new ArrayList<>();
    private final List<DiskSource> open = new ArrayList<>();
    private BackupSession session;
    private PullBackup pull;
    private String createdCheckpoint;
    private boolean committed;

    BackupRun(Store store, Ingester ingester, BackupOptions options, Connect conn, Domain domain, String vm,
              DomainDefinition def, boolean running, RunDirectory run, Progress progress, CancelSignal cancel) {
        this.store = store;
        this.ingester = ingester;
        this.options = options;
        this.conn = conn;
        this.domain = domain;
        this.vm = vm;
        this.def = def;
        this.running = running;
        this.run = run;
        this.progress = progress;
        this.cancel = cancel;
        this.throttle = new ReadThrottle(options.maxReadBytesPerSecond(), cancel);
    }

    BackupResult call() throws BackupException {
        long t0 = System.nanoTime();
        try {
            return running ? backupRunning(t0) : backupStopped(t0);
        } catch (BackupException e) {
            throw e;
        } catch (LibvirtException e) {
            throw failure("libvirt: " + e.getError().getMessage(), e);
        } catch (StoreException e) {
            throw failure(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw failure(e.toString(), e);
        } finally {
            cleanup();
        }
    }

    private BackupException failure(String message, Exception cause) {
        if (cancel.isSet()) {
            return new BackupException(BackupException.Kind.CANCELLED, "backup of " + vm + " cancelled", cause);
        }
        return new BackupException(BackupException.Kind.FAILED, "backup of " + vm + " failed: " + message, cause);
    }

    private BackupResult backupRunning(long t0) throws BackupException, LibvirtException, IOException {
        progress.phase("preparing", 0);
        CheckpointChain.Base base = CheckpointChain.find(store, domain, vm, def);
        String checkpoint = def.allTrackChanges() ? CheckpointChain.newName(store, run.jobId()) : null;
        run.writeState(vm, checkpoint);
        String domainXml = domain.getXMLDesc(VIR_DOMAIN_XML_INACTIVE);
        cancel.check();

        String backupXml = BackupXml.backup(run.socket(), run::scratch, def.disks(), base.checkpoint());
        String checkpointXml = checkpoint == null ? null : BackupXml.checkpoint(checkpoint, run.jobId(), def.disks());
        GuestQuiesce quiesce = GuestQuiesce.freeze(domain, def, options.agentTimeout(), run);
        try {
            pull = PullBackup.begin(domain, backupXml, checkpointXml);
            createdCheckpoint = checkpoint;
        } finally {
            String w = quiesce.thaw(options.agentTimeout());
            if (w != null) {
                warnings.add(w);
            }
        }

        session = store.beginBackup(vm);
        Map<String, Long> bytesRead = new LinkedHashMap<>();
        for (Disk disk : def.disks()) {
            cancel.check();
            List<String> contexts = base.incremental()
                    ? List.of(BackupXml.dirtyBitmapContext(disk.target()))
                    : List.of(NbdSource.BASE_ALLOCATION);
            NbdClient client = NbdClient.connectUnix(run.socket(), disk.target(), contexts);
            MeteredSource source = track(new MeteredSource(new NbdSource(client), cancel, throttle));
            DiskMap map;
            List<Extent> extents;
            if (base.incremental()) {
                map = session.incrementalDisk(base.previous().disk(disk.target()), client.size());
                extents = dirtyExtents(client, BackupXml.dirtyBitmapContext(disk.target()));
            } else {
                map = session.newDisk(disk.target(), client.size());
                extents = source.allocated();
            }
            ingester.ingest(session, map, source, extents, progress);
            bytesRead.put(disk.target(), source.bytesRead());
            close(source);
        }
        cancel.check();

        Map<String, String> attributes = attributes(bytesRead, base.fullReason(), quiesce.outcome(), "libvirt-pull");
        if (checkpoint != null) {
            attributes.put(ManifestAttributes.CHECKPOINT, checkpoint);
        }
        if (quiesce.frozenMillis() >= 0) {
            attributes.put(ManifestAttributes.QUIESCE_MILLIS, Long.toString(quiesce.quiesceMillis()));
            attributes.put(ManifestAttributes.FROZEN_MILLIS, Long.toString(quiesce.frozenMillis()));
        }
        if (base.incremental()) {
            attributes.put(ManifestAttributes.INCREMENTAL_FROM, base.checkpoint());
        }
        Manifest.Kind kind = base.incremental() ? Manifest.Kind.INCREMENTAL : Manifest.Kind.FULL;
        Manifest.Consistency consistency = quiesce.frozen() ? Manifest.Consistency.APPLICATION : Manifest.Consistency.CRASH;
        String parent = base.incremental() ? base.previous().id().toString() : "";
        Manifest m = commit(kind, consistency, parent, domainXml, attributes);

        progress.phase("finishing");
        try {
            pull.end(options.jobEndTimeout());
        } catch (LibvirtException | KvmException e) {
            warnings.add("could not end the libvirt backup job: " + message(e));
        }
        try {
            CheckpointChain.prune(store, domain, vm, Set.of(), warnings);
        } catch (LibvirtException | StoreException e) {
            warnings.add("could not prune old checkpoints: " + message(e));
        }
        return result(m, base.fullReason(), checkpoint, quiesce.outcome(), bytesRead, t0);
    }

    private BackupResult backupStopped(long t0) throws BackupException, LibvirtException, IOException {
        progress.phase("preparing", 0);
        run.writeState(vm, null);
        String domainXml = domain.getXMLDesc(VIR_DOMAIN_XML_INACTIVE);
        for (Disk d : def.disks()) {
            if (d.path() == null || !"file".equals(d.sourceType())) {
                throw new BackupException(BackupException.Kind.BAD_INPUT, "disk " + d.target() + " of stopped VM " + vm
                        + " is of type '" + d.sourceType() + "'; only image files can be read while the VM is stopped");
            }
        }
        CheckpointChain.Base base = def.allTrackChanges() ? CheckpointChain.find(store, domain, vm, def) : null;
        if (base != null && base.incremental()) {
            Map<String, QemuNbdSource> tracked = openBitmaps(base.checkpoint());
            if (tracked != null) {
                return backupStoppedIncremental(t0, base, domainXml, tracked);
            }
        }
        session = store.beginBackup(vm);
        Map<String, Long> bytesRead = new LinkedHashMap<>();
        for (Disk disk : def.disks()) {
            cancel.check();
            MeteredSource source = track(new MeteredSource(
                    ImageFiles.open(Path.of(disk.path()), run.path().resolve("qemu-nbd-" + disk.target())), cancel, throttle));
            DiskMap map = session.newDisk(disk.target(), source.size());
            ingester.ingest(session, map, source, source.allocated(), progress);
            bytesRead.put(disk.target(), source.bytesRead());
            close(source);
        }
        cancel.check();
        String reason = "VM is stopped: allocated extents are read in full; dedup stores only changed chunks";
        Manifest m = commit(Manifest.Kind.FULL, Manifest.Consistency.OFFLINE, "", domainXml,
                attributes(bytesRead, reason, "VM is stopped", "image-file"));
        return result(m, reason, "", "VM is stopped", bytesRead, t0);
    }

    /**
     * Each qcow2 image served with the base checkpoint's persistent bitmap, which QEMU kept
     * recording into until the VM stopped; null (nothing left open) when a disk has none that is
     * usable: not qcow2, the bitmap gone, or inconsistent after QEMU did not close the image.
     */
    private Map<String, QemuNbdSource> openBitmaps(String checkpoint) throws IOException, StoreException {
        Map<String, QemuNbdSource> out = new LinkedHashMap<>();
        for (Disk disk : def.disks()) {
            Path image = Path.of(disk.path());
            try {
                if (ImageFiles.check(image) != ImageFiles.Format.QCOW2) {
                    throw new IOException(image + " is not qcow2");
                }
                QemuNbdSource s = QemuNbdSource.openWithBitmap(image, checkpoint, run.path().resolve("qemu-nbd-" + disk.target()));
                out.put(disk.target(), s);
                open.add(s);
            } catch (IOException e) {
                warnings.add("disk " + disk.target() + " has no usable bitmap " + checkpoint + " (" + e.getMessage()
                        + "): read in full");
                for (QemuNbdSource s : out.values()) {
                    close(s);
                }
                return null;
            }
        }
        return out;
    }

    /**
     * A stopped VM whose images still carry the bitmap of the newest checkpointed restore point:
     * only the extents written since are read, into a map based on that point's. The restore
     * point names no checkpoint of its own, so the next backup (stopped or running) is again
     * incremental from the same base, whose bitmap holds every write since.
     */
    private BackupResult backupStoppedIncremental(long t0, CheckpointChain.Base base, String domainXml,
                                                  Map<String, QemuNbdSource> tracked) throws BackupException, IOException {
        session = store.beginBackup(vm);
        Map<String, Long> bytesRead = new LinkedHashMap<>();
        for (Disk disk : def.disks()) {
            cancel.check();
            QemuNbdSource image = tracked.get(disk.target());
            open.remove(image);
            MeteredSource source = track(new MeteredSource(image, cancel, throttle));
            DiskMap map = session.incrementalDisk(base.previous().disk(disk.target()), source.size());
            ingester.ingest(session, map, source, image.dirty(base.checkpoint()), progress);
            bytesRead.put(disk.target(), source.bytesRead());
            close(source);
        }
        cancel.check();
        Map<String, String> attributes = attributes(bytesRead, null, "VM is stopped", "image-file-bitmap");
        attributes.put(ManifestAttributes.INCREMENTAL_FROM, base.checkpoint());
        Manifest m = commit(Manifest.Kind.INCREMENTAL, Manifest.Consistency.OFFLINE, base.previous().id().toString(),
                domainXml, attributes);
        return result(m, null, "", "VM is stopped", bytesRead, t0);
    }

    private Manifest commit(Manifest.Kind kind, Manifest.Consistency consistency, String parent, String domainXml,
                            Map<String, String> attributes) throws StoreException {
        progress.phase("commit");
        Manifest m = session.commit(kind, consistency, parent, domainXml, attributes);
        committed = true;
        return m;
    }

    private Map<String, String> attributes(Map<String, Long> bytesRead, String fullReason, String quiesce, String source) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put(ManifestAttributes.JOB, run.jobId());
        a.put(ManifestAttributes.SOURCE, source);
        a.put(ManifestAttributes.QUIESCE, quiesce);
        if (fullReason != null) {
            a.put(ManifestAttributes.FULL_REASON, fullReason);
        }
        bytesRead.forEach((disk, n) -> a.put(ManifestAttributes.BYTES_READ_PREFIX + disk, Long.toString(n)));
        return a;
    }

    private BackupResult result(Manifest m, String fullReason, String checkpoint, String quiesce,
                                Map<String, Long> bytesRead, long t0) {
        return new BackupResult(m.id(), m.kind(), m.consistency(), m.parent(), checkpoint == null ? "" : checkpoint,
                fullReason == null ? "" : fullReason, quiesce, bytesRead,
                session.stats().newRawBytes.get(), session.stats().newStoredBytes.get(), Duration.ofNanos(System.nanoTime() - t0), warnings);
    }

    /** The dirty extents of the bitmap context, as store extents; the ingester widens them to chunks. */
    static List<Extent> dirtyExtents(NbdClient client, String context) throws IOException {
        List<Extent> out = new ArrayList<>();
        for (io.lifeboat.nbd.Extent e : client.blockStatus(context, 0, client.size())) {
            if (e.has(io.lifeboat.nbd.Extent.NBD_STATE_DIRTY)) {
                out.add(new Extent(e.offset(), e.length()));
            }
        }
        return out;
    }

    private MeteredSource track(MeteredSource s) {
        open.add(s);
        return s;
    }

    private void close(DiskSource s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            warnings.add("closing a disk source: " + e.getMessage());
        }
    }

    private void cleanup() {
        for (DiskSource s : List.copyOf(open)) {
            close(s);
        }
        if (pull != null && !pull.ended()) {
            try {
                pull.end(options.jobEndTimeout());
            } catch (LibvirtException | KvmException e) {
                warnings.add("could not end the libvirt backup job: " + message(e));
            }
        }
        if (createdCheckpoint != null && !committed) {
            try {
                Checkpoints.delete(domain, createdCheckpoint);
            } catch (LibvirtException e) {
                warnings.add("could not delete checkpoint " + createdCheckpoint + ": " + message(e));
            }
        }
        if (session != null && !committed) {
            session.abort();
        }
        try {
            run.delete();
        } catch (IOException e) {
            warnings.add("could not remove run directory " + run.path() + ": " + e);
        }
        try {
            conn.close();
        } catch (LibvirtException e) {
            // the connection goes with the process anyway
        }
        for (String w : warnings) {
            LOG.log(System.Logger.Level.WARNING, "backup job {0} of {1}: {2}", run.jobId(), vm, w);
        }
    }

    List<String> warnings() {
        return warnings;
    }

    static String message(Exception e) {
        return e instanceof LibvirtException le ? le.getError().getMessage() : e.getMessage();
    }
}
