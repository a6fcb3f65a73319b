package io.lifeboat.appliance.runbook;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.lifeboat.appliance.catalog.RestorePointRepository;
import io.lifeboat.restore.RestoreException;
import io.lifeboat.restore.runbook.Runbook;
import io.lifeboat.restore.runbook.RunbookException;
import io.lifeboat.restore.runbook.RunbookParser;
import io.lifeboat.scheduler.quartz.DrillTriggers;
import io.lifeboat.store.StoreException;
import org.quartz.SchedulerException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The appliance's runbooks: checked ({@link RunbookParser}, with the VMs that have restore points
 * here) before they are stored, versioned in the catalog, the YAML kept exactly as written. The
 * newest version's {@code drill} is a Quartz trigger ({@link DrillTriggers}), saved and removed in
 * the same transaction as the runbook (Quartz's job store shares the catalog's DataSource).
 */
@Service
public class Runbooks {

    /** A stored version and what it says; {@code created} is false when the YAML was the newest version's already. */
    public record Saved(RunbookRepository.Version version, Runbook runbook, boolean created) {
    }

    private final RunbookRepository repository;
    private final RestorePointRepository restorePoints;
    private final DrillTriggers drills;
    private final DrillRunRepository drillRuns;

    public Runbooks(RunbookRepository repository, RestorePointRepository restorePoints, DrillTriggers drills,
                    DrillRunRepository drillRuns) {
        this.repository = repository;
        this.restorePoints = restorePoints;
        this.drills = drills;
        this.drillRuns = drillRuns;
    }

    /** Checks {@code yaml} as a save would, storing nothing. */
    public Runbook check(String yaml) throws RunbookException {
        return RunbookParser.parse(yaml, vm -> !restorePoints.listAvailable(vm).isEmpty());
    }

    /**
     * Checks and stores {@code yaml} as the next version of the runbook it names, unless it is the
     * newest already; its drill is scheduled, changed or removed to match.
     */
    @Transactional(rollbackFor = Exception.class)
    public synchronized Saved save(String yaml, String user) throws StoreException {
        Runbook runbook = check(yaml);
        String sha = sha256(yaml);
        Optional<RunbookRepository.Version> latest = repository.latest(runbook.name());
        if (latest.isPresent() && latest.get().sha256().equals(sha)) {
            return new Saved(latest.get(), runbook, false);
        }
        Saved saved = new Saved(repository.insert(runbook.name(), yaml, sha, user), runbook, true);
        scheduleDrill(runbook);
        return saved;
    }

    /**
     * Makes the drill triggers match the stored runbooks (at start: a trigger may be missing, or
     * left from a runbook changed while Quartz's tables were restored from elsewhere); what a
     * runbook that no longer parses says is left as it is, and logged.
     */
    @Transactional(rollbackFor = Exception.class)
    public void reconcileDrills() throws StoreException {
        Set<String> withDrill = new HashSet<>();
        for (RunbookRepository.Version v : repository.list()) {
            Runbook rb = parsed(v);
            scheduleDrill(rb);
            if (rb.drill() != null) {
                withDrill.add(rb.name());
            }
        }
        try {
            for (String name : drills.scheduled()) {
                if (!withDrill.contains(name)) {
                    drills.unschedule(name);
                }
            }
        } catch (SchedulerException e) {
            throw new RestoreException(StoreException.Kind.IO, "cannot read the drill schedules: " + e.getMessage(), e);
        }
    }

    private void scheduleDrill(Runbook rb) throws RestoreException {
        try {
            if (rb.drill() == null) {
                drills.unschedule(rb.name());
            } else {
                drills.schedule(rb.name(), rb.drill().schedule(), rb.drill().zone());
            }
        } catch (SchedulerException e) {
            throw new RestoreException(StoreException.Kind.IO, "cannot schedule the drill of runbook " + rb.name() + ": "
                    + e.getMessage(), e);
        }
    }

    public List<RunbookRepository.Version> list() {
        return repository.list();
    }

    /** The newest version; NOT_FOUND if there is no such runbook. */
    public RunbookRepository.Version latest(String name) throws RestoreException {
        return repository.latest(name).orElseThrow(() -> RestoreException.notFound("no runbook " + name));
    }

    public RunbookRepository.Version version(String name, int version) throws RestoreException {
        return repository.find(name, version)
                .orElseThrow(() -> RestoreException.notFound("runbook " + name + " has no version " + version));
    }

    public List<RunbookRepository.Version> versions(String name) throws RestoreException {
        List<RunbookRepository.Version> all = repository.versions(name);
        if (all.isEmpty()) {
            throw RestoreException.notFound("no runbook " + name);
        }
        return all;
    }

    /** What a stored version says (it was valid when stored; the VMs it names may have gone since). */
    public Runbook parsed(RunbookRepository.Version v) throws RunbookException {
        return RunbookParser.parse(v.yaml());
    }

    /** Deletes every version, its drill and the record of its drills (its runs stay). */
    @Transactional(rollbackFor = Exception.class)
    public void delete(String name) throws RestoreException {
        if (!repository.delete(name)) {
            throw RestoreException.notFound("no runbook " + name);
        }
        drillRuns.deleteAll(name);
        try {
            drills.unschedule(name);
        } catch (SchedulerException e) {
            throw new RestoreException(StoreException.Kind.IO, "cannot remove the drill of runbook " + name + ": "
                    + e.getMessage(), e);
        }
    }

    static String sha256(String yaml) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(yaml.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
