package io.lifeboat.appliance.backup;

import io.lifeboat.kvm.KvmException;
import io.lifeboat.kvm.libvirt.LibvirtConnection;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.ingest.Ingester;
import io.lifeboat.store.manifest.RestorePointId;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The changed-block-tracking backup engine: backs up libvirt domains into a chunk store.
 * Backups of different VMs run concurrently, each on its own thread and libvirt connection; a
 * second backup of a VM that is being backed up is refused. See docs/backup-engine.md.
 */
public final class BackupEngine implements AutoCloseable {
    private final String libvirtUri;
    private final Store store;
    private final Path runRoot;
    private final BackupOptions options;
    private final Ingester ingester;
    private final Map<String, BackupJob> running = new ConcurrentHashMap<>();
    private final ExecutorService threads;

    /**
     * @param libvirtUri e.g. {@code qemu:///system}
     * @param runRoot    where jobs keep their sockets and scratch files; must be a short path
     *                   (unix sockets), owned by the appliance, and not shared with anything else
     */
    public BackupEngine(String libvirtUri, Store store, Path runRoot, BackupOptions options) {
        this.libvirtUri = libvirtUri;
        this.store = store;
        this.runRoot = runRoot.toAbsolutePath();
        this.options = options;
        this.ingester = Ingester.forThisMachine(store.config().zstdLevel());
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "backup-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts a backup of {@code vm}: full or incremental, decided by the checkpoint chain. Errors
     * the caller can fix (unknown VM, no disks, a backup of it already running) are thrown here;
     * everything later is reported by {@link BackupJob#await()}.
     */
    public BackupJob start(String vm) throws BackupException {
        try {
            RestorePointId.validateVm(vm);
        } catch (IllegalArgumentException e) {
            throw new BackupException(BackupException.Kind.BAD_INPUT, e.getMessage());
        }
        String jobId = UUID.randomUUID().toString().substring(0, 8);
        CancelSignal cancel = new CancelSignal();
        BackupJob job = new BackupJob(jobId, vm, Instant.now(), new Progress(), cancel);
        BackupJob other = running.putIfAbsent(vm, job);
        if (other != null) {
            throw new BackupException(BackupException.Kind.CONFLICT, "a backup of " + vm + " is already running (job "
                    + other.id() + ", started " + other.started() + ")");
        }
        Connect conn = null;
        try {
            conn = connect();
            Domain domain = lookup(conn, vm);
            DomainDefinition def = DomainDefinition.parse(domain.getXMLDesc(0));
            if (def.disks().isEmpty()) {
                throw new BackupException(BackupException.Kind.BAD_INPUT, "VM " + vm + " has no disks to back up");
            }
            boolean active = domain.isActive() == 1;
            RunDirectory run = RunDirectory.create(runRoot, jobId);
            BackupRun backup = new BackupRun(store, ingester, options, conn, domain, vm, def, active, run, job.progress(), cancel);
            threads.execute(() -> {
                try {
                    job.complete(backup.call());
                } catch (Throwable t) {
                    job.fail(t);
                } finally {
                    running.remove(vm, job);
                }
            });
            return job;
        } catch (BackupException | LibvirtException | RuntimeException e) {
            running.remove(vm, job);
            LibvirtConnection.closeQuietly(conn);
            if (e instanceof BackupException be) {
                throw be;
            }
            if (e instanceof LibvirtException le) {
                throw new BackupException(BackupException.Kind.FAILED, "libvirt: " + le.getError().getMessage(), le);
            }
            throw new BackupException(BackupException.Kind.FAILED, "starting backup of " + vm + ": " + e, e);
        }
    }

    /** Backs up {@code vm} and waits for the restore point. */
    public BackupResult backup(String vm) throws BackupException, InterruptedException {
        return start(vm).await();
    }

    public Collection<BackupJob> running() {
        return List.copyOf(running.values());
    }

    /**
     * Cleans up after a crashed appliance: leftover run directories, libvirt backup jobs serving
     * sockets under the run root, and Lifeboat checkpoints no restore point names. Jobs running in
     * this engine are left alone. Call at start-up, before scheduling backups.
     */
    public RecoveryReport recover() throws BackupException {
        Set<String> liveJobs = new HashSet<>();
        Set<String> liveVms = new HashSet<>(running.keySet());
        running.values().forEach(j -> liveJobs.add(j.id()));
        Connect conn = null;
        try {
            conn = connect();
            return new Recovery(store, conn, runRoot, options.jobEndTimeout()).run(liveJobs, liveVms);
        } finally {
            LibvirtConnection.closeQuietly(conn);
        }
    }

    private Connect connect() throws BackupException {
        try {
            return LibvirtConnection.open(libvirtUri);
        } catch (KvmException e) {
            throw new BackupException(BackupException.Kind.FAILED, e.getMessage(), e);
        }
    }

    private static Domain lookup(Connect conn, String vm) throws BackupException, LibvirtException {
        try {
            return conn.domainLookupByName(vm);
        } catch (LibvirtException e) {
            if (e.getError().getCode() == ErrorNumber.VIR_ERR_NO_DOMAIN) {
                throw new BackupException(BackupException.Kind.NOT_FOUND, "no VM named '" + vm + "'");
            }
            throw e;
        }
    }

    /** Cancels running jobs and waits for their cleanup. */
    @Override
    public void close() {
        for (BackupJob j : running.values()) {
            j.cancel();
        }
        for (BackupJob j : running.values()) {
            try {
                j.await();
            } catch (BackupException e) {
                // cancelled, as asked
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        threads.shutdown();
    }
}
