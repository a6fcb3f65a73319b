package io.lifeboat.appliance.runbook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import io.lifeboat.appliance.catalog.RestorePoint;
import io.lifeboat.appliance.catalog.RestorePointRepository;
import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.appliance.config.DataDirectories;
import io.lifeboat.appliance.config.LifeboatProperties;
import io.lifeboat.appliance.inventory.LibvirtHosts;
import io.lifeboat.restore.RestoreException;
import io.lifeboat.restore.RestoreSource;
import io.lifeboat.restore.instant.InstantRecovery;
import io.lifeboat.restore.runbook.FailbackBackups;
import io.lifeboat.restore.runbook.Readiness;
import io.lifeboat.restore.runbook.RunRecord;
import io.lifeboat.restore.runbook.RunStore;
import io.lifeboat.restore.runbook.Runbook;
import io.lifeboat.restore.runbook.RunbookRunner;
import io.lifeboat.store.StoreException;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

/**
 * Runbook runs on the appliance: the restore agent's {@link RunbookRunner} over the local store
 * ({@code newest-replicated} is what the catalog says the bucket holds), its runs under
 * {@code <data-dir>/runbook-runs}, its instant recoveries under {@code <data-dir>/runbook-instant}.
 * A run goes on in the background once started; its record is read from the run store. When the
 * appliance starts, runs that were going on are halted (resume them) and the VMs they started are
 * served again; every minute, and when a run that stopped here expires, test runs whose time to
 * live has passed are cleaned up.
 */
@Service
public class RunbookRuns {
    private static final Logger log = LoggerFactory.getLogger(RunbookRuns.class);
    private static final Duration SWEEP = Duration.ofMinutes(1);

    private final Runbooks runbooks;
    private final ChunkStore store;
    private final RestorePointRepository restorePoints;
    private final LibvirtHosts hosts;
    private final Path data;
    private final ObjectProvider<FailbackBackups> backups;
    private InstantRecovery recovery;
    private RunbookRunner runner;
    private final ExecutorService background = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "runbook-run");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "runbook-ttl");
        t.setDaemon(true);
        return t;
    });

    public RunbookRuns(Runbooks runbooks, ChunkStore store, RestorePointRepository restorePoints, LibvirtHosts hosts,
                       LifeboatProperties lifeboat, DataDirectories createdFirst, ObjectProvider<FailbackBackups> backups) {
        this.backups = backups;
        this.runbooks = runbooks;
        this.store = store;
        this.restorePoints = restorePoints;
        this.hosts = hosts;
        this.data = lifeboat.dataDir();
    }

    /** The runner, made on first use: the chunk store may open after the appliance started. */
    private synchronized RunbookRunner runner() throws StoreException {
        if (runner == null) {
            try {
                RestoreSource source = new RestoreSource(store.get()); // first: it may not be open (yet)
                recovery = new InstantRecovery(data.resolve("runbook-instant"));
                runner = new RunbookRunner(source, recovery, new RunStore(data.resolve("runbook-runs")),
                        new RunbookRunner.Site(hosts.defaultUri(), data.resolve("images"), data.resolve("runbook-runs")),
                        id -> restorePoints.find(id).map(RestorePoint::replicated).orElse(false), (uri, vm) -> backups.getObject().backup(uri, vm));
            } catch (StoreException e) {
                throw e; // the chunk store is not available (yet)
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the runbook directories in " + data + ": " + e.getMessage(), e);
            }
        }
        return runner;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void afterStart() {
        try {
            for (RunRecord r : runner().reattachAll()) {
                log.info("Runbook run {} of {} is {}: {}", r.id, r.runbook, r.state, r.error == null ? "its VMs are served again" : r.error);
            }
        } catch (StoreException e) {
            log.error("Cannot pick up the runbook runs: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sweeper.scheduleWithFixedDelay(this::sweep, 0, SWEEP.toSeconds(), TimeUnit.SECONDS);
    }

    /** Cleans up the test runs whose time to live has passed. */
    void sweep() {
        try {
            for (RunRecord r : runner().cleanupExpired()) {
                log.info("Test run {} of runbook {} expired at {}: its VMs and network are removed", r.id, r.runbook, r.expires);
            }
        } catch (StoreException e) {
            log.warn("Cleaning up expired test runs failed (tried again in {} s): {}", SWEEP.toSeconds(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public Readiness readiness(String name, RunRecord.Kind kind) throws StoreException {
        return runner().readiness(runbooks.parsed(runbooks.latest(name)), kind);
    }

    /** Starts a run of the runbook's newest version; it goes on in the background. */
    public RunRecord start(String name, RunRecord.Kind kind, RunbookRunner.Options options) throws StoreException {
        return start(name, kind, options, (r, e) -> { });
    }

    /**
     * As {@link #start(String, RunRecord.Kind, RunbookRunner.Options)}; {@code stopped} is told
     * the run as it is once it stops going on (done, halted, waiting for an approval), with what
     * stopped the runner if it failed.
     */
    public RunRecord start(String name, RunRecord.Kind kind, RunbookRunner.Options options,
                           BiConsumer<RunRecord, StoreException> stopped) throws StoreException {
        RunbookRepository.Version v = runbooks.latest(name);
        Runbook rb = runbooks.parsed(v);
        RunRecord run = runner().create(rb, v.yaml(), kind, options);
        log.info("Runbook {} version {}: {} run {} started", name, v.version(), kind.name().toLowerCase(java.util.Locale.ROOT), run.id);
        go(run.id, RunbookRunner.Options.none(), stopped);
        return run;
    }

    /** Goes on with a halted or waiting run in the background. */
    public RunRecord resume(String id, RunbookRunner.Options options) throws StoreException {
        RunRecord run = runner().runs().read(id);
        if (run.finished() || run.state == RunRecord.State.DONE) {
            throw RestoreException.conflict("run " + id + " is " + run.state + "; there is nothing to resume");
        }
        go(id, options, (r, e) -> { });
        return run;
    }

    private void go(String id, RunbookRunner.Options options, BiConsumer<RunRecord, StoreException> stopped) {
        background.submit(() -> {
            RunRecord r = null;
            StoreException failure = null;
            try {
                r = runner().resume(id, options);
                log.info("Runbook run {} of {}: {}{}", r.id, r.runbook, r.state, r.error == null ? "" : " at " + r.error);
                if (r.expires != null) { // cleaned up when it expires, not up to a sweep later
                    long in = Math.max(0, Duration.between(Instant.now(), Instant.parse(r.expires)).toMillis());
                    sweeper.schedule(this::sweep, in, TimeUnit.MILLISECONDS);
                }
            } catch (StoreException e) {
                failure = e;
                log.warn("Runbook run {}: {}", id, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (r == null) {
                try {
                    r = runner().runs().read(id);
                } catch (StoreException e) {
                    // told with the failure alone
                }
            }
            stopped.accept(r, failure);
        });
    }

    public RunRecord cancel(String id) throws StoreException {
        try {
            return runner().cancel(id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreException(StoreException.Kind.IO, "cancelling run " + id + " was interrupted; cancel it again");
        }
    }

    public RunRecord cleanup(String id) throws StoreException {
        try {
            return runner().cleanup(id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreException(StoreException.Kind.IO, "cleaning up run " + id + " was interrupted; clean it up again");
        }
    }

    public RunRecord get(String id) throws StoreException {
        return runner().runs().read(id);
    }

    public List<RunRecord> list() throws StoreException {
        return runner().runs().list();
    }

    @PreDestroy
    public synchronized void stop() {
        sweeper.shutdownNow();
        background.shutdownNow();
        if (runner != null) {
            runner.close();
            recovery.close();
        }
    }
}
