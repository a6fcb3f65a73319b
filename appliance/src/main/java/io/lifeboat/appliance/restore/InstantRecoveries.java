package io.lifeboat.appliance.restore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.catalog.JobRepository;
import io.lifeboat.appliance.catalog.RestorePointPins;
import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.appliance.config.DataDirectories;
import io.lifeboat.appliance.config.LifeboatProperties;
import io.lifeboat.appliance.inventory.LibvirtHosts;
import io.lifeboat.appliance.jobs.JobRunner;
import io.lifeboat.nbd.ExportStatistics;
import io.lifeboat.restore.RestoreException;
import io.lifeboat.restore.instant.InstantRecovery;
import io.lifeboat.restore.instant.InstantSession;
import io.lifeboat.restore.instant.SessionListing;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

/**
 * Instant recoveries run by the appliance: the restore agent's {@link InstantRecovery} with its
 * sessions under {@code <data-dir>/instant}, serving chunks from the local store.
 *
 * <p>{@link #start} returns once the VM runs on its NBD-backed overlays; its catalog job (kind
 * INSTANT_RECOVERY) is RUNNING in phase {@code serving} and, once the copy starts, in phases
 * {@code copy vda}, ... with bytes copied; it SUCCEEDS when every disk is pivoted onto its flat
 * image. When the appliance starts, every session not yet pivoted is served again (a VM paused on
 * the missing export is resumed) under a new job, and a copy that was going on is started again
 * with its bandwidth limit. When it stops, the exports stop: a VM still on them pauses at its next
 * read of a block not copied yet, and goes on after the next start.
 */
@Service
public class InstantRecoveries implements RestorePointPins {

    private static final Logger log = LoggerFactory.getLogger(InstantRecoveries.class);
    /** Decoded chunks each export keeps in memory. */
    private static final int CACHE_CHUNKS = 64;
    /** sun_path holds 107 bytes and a NUL; a session's socket is {@code <root>/<8 hex>/nbd.sock}. */
    private static final int MAX_SOCKET_PATH = 107;
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(30);

    private final ChunkStore store;
    private final JobRepository jobs;
    private final RestoreRuns runs;
    private final LibvirtHosts hosts;
    private final Path root;
    private final Path defaultImageDir;
    private final InstantRecovery recovery;
    private final JobRunner runner;

    public InstantRecoveries(ChunkStore store, JobRepository jobs, RestoreRuns runs, LibvirtHosts hosts,
                             LifeboatProperties lifeboat, JobRunner runner, DataDirectories createdFirst) {
        this.store = store;
        this.jobs = jobs;
        this.runs = runs;
        this.hosts = hosts;
        this.root = lifeboat.dataDir().resolve("instant");
        this.defaultImageDir = lifeboat.dataDir().resolve("images");
        String socket = root.resolve("00000000").resolve("nbd.sock").toString();
        if (socket.getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            log.error("Instant recovery cannot work from {}: its sockets ({}) would be longer than the {} bytes a unix"
                    + " socket path may have; use a shorter data directory", root, socket, MAX_SOCKET_PATH);
        }
        try {
            this.recovery = new InstantRecovery(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + root + ": " + e.getMessage(), e);
        }
        this.runner = runner;
    }

    /**
     * What to recover.
     *
     * @param bandwidth limit of the background copy in bytes/s, 0 for none
     * @param copy      start the background copy and pivot at once
     */
    public record Order(RestorePointId restorePoint, String vmName, boolean newIdentity, Path imageDir, String uri,
                        long bandwidth, boolean copy) {
    }

    /** A session and the job that follows it. */
    public record Started(Job job, InstantSession session) {
    }

    /** One session as it is now. */
    public record Status(InstantSession session, UUID jobId, boolean serving, Map<String, ExportStatistics> served,
                         boolean copying) {
    }

    /** Starts the VM on the restore point; returns once it runs. Nothing is left behind on a refusal. */
    public Started start(Order order) throws StoreException {
        if (order.bandwidth() < 0) {
            throw RestoreException.badInput("bandwidth must not be negative");
        }
        Store s = store.get();
        Manifest manifest = s.manifest(order.restorePoint());
        InstantRecovery.Options options;
        try {
            options = new InstantRecovery.Options(order.vmName(), order.newIdentity(),
                    order.imageDir() == null ? defaultImageDir : order.imageDir(), order.uri(), CACHE_CHUNKS, 0);
        } catch (IllegalArgumentException e) {
            throw RestoreException.badInput(e.getMessage());
        }
        InstantSession session = recovery.start(manifest, s.chunks(), options);
        log.info("Instant recovery {}: {} runs as {} on {}", session.id(), order.restorePoint(), session.vm(), session.libvirtUri());
        Job job = serving(session, order.bandwidth());
        if (order.copy()) {
            copy(session, job.id(), order.bandwidth());
        }
        return new Started(jobs.find(job.id()).orElseThrow(), session);
    }

    /** Starts the background copy and pivot of a session that is being served; the job that follows it. */
    public Job copy(String id) throws StoreException {
        InstantSession session = recovery.session(id);
        if (session.state() == InstantSession.State.PIVOTED) {
            throw RestoreException.conflict("instant recovery " + id + " is already copied and pivoted");
        }
        if (recovery.served(id, session.disks().get(0).target()).isEmpty()) {
            throw RestoreException.conflict("instant recovery " + id + " is not served by this appliance");
        }
        Optional<UUID> latest = requireNoCopy(id, "");
        long bandwidth = latest.flatMap(runs::find).map(RestoreRun::bandwidth).orElse(0L);
        Job job = latest.flatMap(jobs::find).filter(j -> !j.state().isFinal()).orElseGet(() -> serving(session, bandwidth));
        copy(session, job.id(), bandwidth);
        return jobs.find(job.id()).orElseThrow();
    }

    /**
     * Ends an instant recovery that is not wanted any more: its VM is destroyed and undefined (what
     * the guest wrote is thrown away), its export stops and the session goes; its job ends
     * CANCELLED. 409 once pivoted or while its copy runs; 404 if there is no such session.
     */
    public void stop(String id) throws RestoreException {
        Optional<UUID> latest = requireNoCopy(id, "; stop the recovery once the copy has ended, or let it pivot");
        recovery.stop(id);
        latest.flatMap(jobs::find).filter(j -> !j.state().isFinal())
                .ifPresent(j -> jobs.finish(j.id(), Job.State.CANCELLED, "the instant recovery was stopped and its VM removed"));
        log.info("Instant recovery {} stopped: its VM, export and session are gone", id);
    }

    /**
     * Removes a session no VM needs any more (pivoted, or failed with its VM gone or off its
     * overlays); its restore point is then no longer held. 409 while it is served, copied, or a VM
     * still runs on its overlays; 404 if there is no such session.
     */
    public void discard(String id) throws RestoreException {
        requireNoCopy(id, "");
        recovery.discard(id);
        log.info("Instant recovery session {} discarded", id);
    }

    /** The session's latest job; a 409 (ending with {@code advice}) if it is a copy running here. */
    private Optional<UUID> requireNoCopy(String id, String advice) throws RestoreException {
        Optional<UUID> latest = runs.latestJob(id);
        if (latest.isPresent() && runner.isRunning(latest.get())) {
            throw RestoreException.conflict("the copy of instant recovery " + id + " is running (job " + latest.get() + ")"
                    + advice);
        }
        return latest;
    }

    public List<Status> list() throws RestoreException {
        try {
            return recovery.sessions().stream().map(this::status).toList();
        } catch (IOException e) {
            throw new RestoreException(StoreException.Kind.IO, "cannot read the sessions in " + root + ": " + e.getMessage(), e);
        }
    }

    public Status get(String id) throws RestoreException {
        return status(recovery.session(id));
    }

    private Status status(InstantSession session) {
        Map<String, ExportStatistics> served = new LinkedHashMap<>();
        for (InstantSession.Disk d : session.disks()) {
            recovery.served(session.id(), d.target()).ifPresent(st -> served.put(d.target(), st));
        }
        Optional<UUID> job = runs.latestJob(session.id());
        return new Status(session, job.orElse(null), !served.isEmpty(), served, job.map(runner::isRunning).orElse(false));
    }

    /** A new job for a session now being served, RUNNING in phase {@code serving}. */
    private Job serving(InstantSession session, long bandwidth) {
        Job job = jobs.create(Job.Kind.INSTANT_RECOVERY, RestorePointId.parse(session.restorePoint()).vm());
        Map<String, String> images = new LinkedHashMap<>();
        session.disks().forEach(d -> images.put(d.target(), d.image()));
        runs.insert(new RestoreRun(job.id(), session.restorePoint(), RestoreRun.INSTANT, session.vm(), null,
                session.libvirtUri(), images, session.id(), bandwidth, null, null, List.of()));
        jobs.start(job.id());
        jobs.progress(job.id(), new Progress.Snapshot("serving", 0, 0));
        return job;
    }

    private void copy(InstantSession session, UUID jobId, long bandwidth) {
        RestorePointId point = RestorePointId.parse(session.restorePoint());
        runner.submit(jobs.find(jobId).orElseThrow(), "copy of instant recovery " + session.id() + " (" + session.vm() + ")",
                false, new Progress(), (progress, cancel) -> recovery.copyAndPivot(session.id(), bandwidth, progress),
                pivoted -> {
                    runs.completed(jobId, null, true, true, List.of());
                    return JobRunner.End.succeeded(point);
                }, JobRunner.CANCELLED_OR_FAILED);
    }

    /**
     * A session not yet pivoted (serving, copying, interrupted and to be served again, or failed
     * with its VM perhaps still on the export's overlays) reads its restore point: the restore
     * point must stay until the VM is off the export.
     */
    @Override
    public Pinned pins() {
        SessionListing listing;
        try {
            listing = recovery.listSessions();
        } catch (IOException e) {
            // cannot tell which restore points the sessions read: keep them all rather than guess
            String why = "the instant recovery sessions in " + root + " cannot be read (" + e.getMessage() + ")";
            return id -> Optional.of(why);
        }
        if (!listing.unreadable().isEmpty()) {
            String why = "instant recovery session file " + listing.unreadable().get(0).file() + " cannot be read ("
                    + listing.unreadable().get(0).error() + "), so which restore point it reads is unknown; repair or remove it";
            return id -> Optional.of(why);
        }
        List<InstantSession> holding = listing.sessions().stream()
                .filter(s -> s.state() != InstantSession.State.PIVOTED).toList();
        return id -> holding.stream()
                .filter(s -> s.restorePoint().equals(id.toString()))
                .findFirst()
                .map(s -> "VM " + s.vm() + " runs on it through instant recovery " + s.id() + " (" + s.state()
                        + "); it can go once that VM has been pivoted onto its own disks");
    }

    /** Serves again every session a previous run of the appliance left unfinished, and goes on with its copy. */
    @EventListener(ApplicationReadyEvent.class)
    public void resumeUnfinished() {
        SessionListing listing;
        try {
            listing = recovery.listSessions();
        } catch (IOException e) {
            log.error("Cannot read the instant recovery sessions in {}: {}", root, e.getMessage());
            return;
        }
        listing.unreadable().forEach(u -> log.error("Instant recovery session {} cannot be read and is not resumed: {}"
                + " (its restore points are kept until it is repaired or removed)", u.file(), u.error()));
        for (InstantSession before : listing.sessions()) {
            if (before.state() == InstantSession.State.PIVOTED) {
                continue;
            }
            try {
                Store s = store.get();
                Manifest manifest = s.manifest(RestorePointId.parse(before.restorePoint()));
                InstantSession now = recovery.resume(before.id(), manifest, s.chunks(), CACHE_CHUNKS, 0);
                if (now.state() == InstantSession.State.FAILED) {
                    log.warn("Instant recovery {} not resumed: {}", now.id(), now.error());
                    continue;
                }
                long bandwidth = runs.latestJob(now.id()).flatMap(runs::find).map(RestoreRun::bandwidth).orElse(0L);
                Job job = serving(now, bandwidth);
                log.info("Instant recovery {} ({}) served again, job {}", now.id(), now.vm(), job.id());
                if (before.state() == InstantSession.State.COPYING) {
                    copy(now, job.id(), bandwidth);
                }
            } catch (StoreException | RuntimeException e) {
                log.error("Instant recovery {} ({}) cannot be resumed: {}", before.id(), before.vm(), e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops the copies, then the exports: VMs still on them pause at their next read of an uncopied block. */
    @PreDestroy
    void shutdown() {
        runner.shutDown(SHUTDOWN_WAIT, Job.Kind.INSTANT_RECOVERY);
        recovery.close();
    }
}
