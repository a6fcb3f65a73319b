package io.lifeboat.appliance.restore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.catalog.JobRepository;
import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.appliance.config.LifeboatProperties;
import io.lifeboat.appliance.jobs.BackupProperties;
import io.lifeboat.restore.RestoreException;
import io.lifeboat.restore.RestorePlan;
import io.lifeboat.restore.RestoreRequest;
import io.lifeboat.restore.RestoreResult;
import io.lifeboat.restore.RestoreSource;
import io.lifeboat.restore.VmRestore;
import io.lifeboat.store.StoreException;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Restores as catalog jobs (kind RESTORE). {@link #start} plans the restore first, in the
 * request: a bad request, an unknown restore point, missing chunks or a name or file in the way
 * are refused at once and nothing is written. Then the restore agent's {@link VmRestore} runs on a
 * job thread, its progress ({@code check}, {@code restore vda}, {@code convert vda},
 * {@code define}, {@code start}) copied into the job; what it made is in {@link RestoreRuns}. The
 * restore plans again when it runs, and so picks the VM's UUID and MAC addresses then: the ones
 * a dry run shows are examples; the job's result has the real UUID.
 *
 * <p>Disk files go to {@code <data-dir>/images} unless a directory or storage pool is given. Two
 * restores into the same VM name or file at once are refused (409), since both would pass the plan.
 */
@Service
public class RestoreJobs {

    private static final Logger log = LoggerFactory.getLogger(RestoreJobs.class);

    private final ChunkStore store;
    private final JobRepository jobs;
    private final RestoreRuns runs;
    private final Path defaultDirectory;
    private final CatalogedWork work;
    private final Set<String> targetsInUse = ConcurrentHashMap.newKeySet();

    public RestoreJobs(ChunkStore store, JobRepository jobs, RestoreRuns runs, LifeboatProperties lifeboat,
                       BackupProperties backup) {
        this.store = store;
        this.jobs = jobs;
        this.runs = runs;
        this.defaultDirectory = lifeboat.dataDir().resolve("images");
        this.work = new CatalogedWork(jobs, backup.progressInterval(), "restore");
    }

    /** A restore job just started, and the plan it follows. */
    public record Started(Job job, RestorePlan plan) {
    }

    /** Every check of {@link #start}, writing nothing. */
    public RestorePlan plan(RestoreRequest request) throws StoreException {
        return restore().plan(withDefaults(request));
    }

    /** Plans the restore and, if it can be done, starts it as a job (QUEUED). */
    public Started start(RestoreRequest request) throws StoreException {
        RestoreRequest r = withDefaults(request);
        VmRestore restore = restore();
        RestorePlan plan = restore.plan(r);
        List<String> targets = claim(r, plan);
        Job job;
        try {
            job = jobs.create(Job.Kind.RESTORE, r.restorePoint().vm());
            Map<String, String> files = new LinkedHashMap<>();
            plan.diskFiles().forEach((disk, file) -> files.put(disk, file.toString()));
            runs.insert(new RestoreRun(job.id(), r.restorePoint().toString(), r.mode().name(),
                    plan.definesVm() ? plan.name() : null, null, r.uri(), files, null, null, null, null, List.of()));
        } catch (RuntimeException e) {
            targetsInUse.removeAll(targets);
            throw e;
        }
        log.info("Restore job {}: {} as {} ({}) on {}, disks {}", job.id(), r.restorePoint(), plan.name(), r.mode(),
                r.uri(), plan.diskFiles());
        work.submit(job.id(), r.restorePoint(), "restore of " + r.restorePoint() + " as " + plan.name(), progress -> {
            try {
                return restore.restore(r, progress);
            } finally {
                targetsInUse.removeAll(targets);
            }
        }, (RestoreResult result) -> runs.completed(job.id(), result.uuid(), result.defined(), result.started(), result.notes()));
        return new Started(job, plan);
    }

    /** Without a directory or pool, disk files go to {@code <data-dir>/images} (created if needed). */
    private RestoreRequest withDefaults(RestoreRequest r) throws RestoreException {
        if (r.directory() != null || r.storagePool() != null) {
            return r;
        }
        try {
            Files.createDirectories(defaultDirectory);
        } catch (IOException e) {
            throw new RestoreException(StoreException.Kind.IO, "cannot create " + defaultDirectory + ": " + e.getMessage(), e);
        }
        return r.withDirectory(defaultDirectory);
    }

    private VmRestore restore() throws StoreException {
        return new VmRestore(new RestoreSource(store.get()));
    }

    /** Marks the plan's VM name and files as being restored into; a second restore into any of them is a 409. */
    private List<String> claim(RestoreRequest r, RestorePlan plan) throws RestoreException {
        List<String> targets = new ArrayList<>();
        if (plan.definesVm()) {
            targets.add("vm " + plan.name() + " on " + r.uri());
        }
        plan.diskFiles().values().forEach(f -> targets.add("file " + f.toAbsolutePath()));
        List<String> claimed = new ArrayList<>();
        for (String t : targets) {
            if (!targetsInUse.add(t)) {
                targetsInUse.removeAll(claimed);
                throw RestoreException.conflict("another restore into " + t + " is running");
            }
            claimed.add(t);
        }
        return claimed;
    }

    @PreDestroy
    void shutdown() {
        work.close();
    }
}
