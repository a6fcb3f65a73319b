package io.lifeboat.appliance.runbook;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.lifeboat.appliance.catalog.Timestamps;
import io.lifeboat.appliance.config.ApplianceNode;
import io.lifeboat.appliance.notify.Failure;
import io.lifeboat.appliance.notify.FailureNotifier;
import io.lifeboat.restore.RestoreException;
import io.lifeboat.restore.runbook.RunRecord;
import io.lifeboat.restore.runbook.Runbook;
import io.lifeboat.restore.runbook.RunbookRunner;
import io.lifeboat.scheduler.quartz.DrillFiring;
import io.lifeboat.scheduler.quartz.DrillTriggers;
import io.lifeboat.store.StoreException;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

/**
 * Scheduled drills (docs/runbooks.md, "Scheduled drills"): each firing of a runbook's drill
 * trigger starts a test run of its newest version with the drill's time to live, unless a run of
 * that runbook is still going on (then it is skipped, and says which). Every firing is recorded
 * ({@code runbook_drills}); a drill whose run halts, or that cannot start, is notified like a
 * policy's failure. Quartz hands it each firing through the scheduler's {@link DrillFiring}; at
 * start the triggers are made to match the stored runbooks.
 */
@Service
public class RunbookDrills implements DrillFiring.Target {

    private static final Logger log = LoggerFactory.getLogger(RunbookDrills.class);

    /**
     * A runbook's drill as the API shows it.
     *
     * @param nextFireTime null when not scheduled (yet)
     * @param last         the most recent firing, or null
     * @param lastRunState what its run is now (DONE, CLEANED, ...), or null without a run
     */
    public record Status(String schedule, String zone, long ttlSeconds, Instant nextFireTime, DrillRun last,
                         RunRecord.State lastRunState) {
    }

    private final Runbooks runbooks;
    private final RunbookRuns runs;
    private final DrillRunRepository drills;
    private final DrillTriggers triggers;
    private final FailureNotifier notifier;
    private final ApplianceNode node;

    public RunbookDrills(Runbooks runbooks, RunbookRuns runs, DrillRunRepository drills, DrillTriggers triggers,
                         FailureNotifier notifier, ApplianceNode node) {
        this.runbooks = runbooks;
        this.runs = runs;
        this.drills = drills;
        this.triggers = triggers;
        this.notifier = notifier;
        this.node = node;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void reconcile() {
        try {
            runbooks.reconcileDrills();
            log.info("Runbook drills scheduled: {}", triggers.scheduled());
        } catch (StoreException | SchedulerException e) {
            log.error("Cannot schedule the runbook drills: {}", e.getMessage());
        }
    }

    @Override
    public void fire(DrillFiring.Firing firing) {
        String name = firing.runbook();
        DrillRun.Cause cause = firing.runNow() ? DrillRun.Cause.RUN_NOW : DrillRun.Cause.SCHEDULED;
        Runbook rb;
        try {
            rb = runbooks.parsed(runbooks.latest(name));
        } catch (StoreException e) {
            notStarted(firing, cause, e.getMessage());
            return;
        }
        if (rb.drill() == null) { // changed since the trigger fired
            drills.record(name, firing.scheduled(), firing.fired(), node.id(), cause, DrillRun.Outcome.SKIPPED, null,
                    "runbook " + name + " has no drill any more");
            return;
        }
        Optional<RunRecord> going;
        try {
            going = runs.list().stream().filter(r -> name.equals(r.runbook) && r.state == RunRecord.State.RUNNING)
                    .findFirst();
        } catch (StoreException e) {
            notStarted(firing, cause, e.getMessage());
            return;
        }
        if (going.isPresent()) {
            RunRecord r = going.get();
            String why = "run " + r.id + " of runbook " + name + " (" + r.kind.name().toLowerCase(java.util.Locale.ROOT)
                    + ", started " + r.started + ") is still running";
            drills.record(name, firing.scheduled(), firing.fired(), node.id(), cause, DrillRun.Outcome.SKIPPED, null, why);
            log.info("Drill of runbook {} skipped: {}", name, why);
            return;
        }
        DrillRun drill = drills.record(name, firing.scheduled(), firing.fired(), node.id(), cause,
                DrillRun.Outcome.STARTED, null, null);
        try {
            RunRecord run = runs.start(name, RunRecord.Kind.TEST, new RunbookRunner.Options(rb.drill().ttl(), false, Set.of()),
                    (r, e) -> stopped(drill, r, e));
            drills.started(drill.id(), run.id);
            log.info("Drill of runbook {}: test run {} started, cleaned up at {}", name, run.id, run.expires);
        } catch (StoreException | RuntimeException e) {
            drills.finish(drill.id(), DrillRun.Outcome.NOT_STARTED, e.getMessage());
            notify(name, "the drill's test run did not start: " + e.getMessage(), "check the runbook's readiness (POST"
                    + " /api/runbooks/" + name + "/readiness?kind=test) and the appliance log");
        }
    }

    private void notStarted(DrillFiring.Firing firing, DrillRun.Cause cause, String why) {
        String name = firing.runbook();
        drills.record(name, firing.scheduled(), firing.fired(), node.id(), cause, DrillRun.Outcome.NOT_STARTED, null, why);
        notify(name, "the drill did not start: " + why, "check the appliance log and GET /api/runbooks/" + name);
    }

    /** The drill's run stopped going on: its outcome; a halted one is notified. */
    private void stopped(DrillRun drill, RunRecord run, StoreException failure) {
        String name = drill.runbook();
        if (run != null && run.state == RunRecord.State.DONE) {
            drills.finish(drill.id(), DrillRun.Outcome.DONE, null);
            return;
        }
        if (run != null && run.state == RunRecord.State.WAITING_APPROVAL) {
            drills.finish(drill.id(), DrillRun.Outcome.WAITING_APPROVAL, run.error);
            return;
        }
        String why = failure != null ? failure.getMessage() : run == null ? "its run cannot be read"
                : run.error != null ? run.error : "its run is " + run.state;
        drills.finish(drill.id(), DrillRun.Outcome.HALTED, why);
        String id = run == null ? "" : run.id;
        notify(name, "the drill's test run " + id + " halted: " + why, "see the run (GET /api/runbook-runs/" + id
                + ", or the console's #/runbook-runs/" + id + "), put right what failed, then resume it (POST"
                + " /api/runbook-runs/" + id + "/resume) or undo it (POST /api/runbook-runs/" + id + "/cancel)");
    }

    private void notify(String runbook, String error, String action) {
        notifier.notify(Failure.drill(runbook, error, action, node.id(), Timestamps.now()));
    }

    /** The runbook's drill (null when it has none) with its next fire time and its last firing. */
    public Status status(Runbook rb) throws StoreException {
        if (rb.drill() == null) {
            return null;
        }
        DrillRun last = recent(rb.name(), 1).stream().findFirst().orElse(null);
        RunRecord.State state = null;
        if (last != null && last.run() != null) {
            try {
                state = runs.get(last.run()).state;
            } catch (StoreException e) {
                // the run store is not open (yet): shown without its state
            }
        }
        try {
            return new Status(rb.drill().schedule(), rb.drill().zone().getId(), rb.drill().ttl().toSeconds(),
                    triggers.nextFireTime(rb.name()).orElse(null), last, state);
        } catch (SchedulerException e) {
            throw new RestoreException(StoreException.Kind.IO, "cannot read the drill schedule of " + rb.name() + ": "
                    + e.getMessage(), e);
        }
    }

    /** The runbook's drills, newest first. */
    public List<DrillRun> recent(String runbook, int limit) {
        return drills.recent(runbook, limit);
    }

    /** Fires the runbook's drill now, through Quartz (so one appliance of a cluster runs it). */
    public void runNow(String runbook) throws StoreException {
        try {
            triggers.runNow(runbook);
        } catch (SchedulerException e) {
            throw new RestoreException(StoreException.Kind.IO, "cannot fire the drill of " + runbook + ": " + e.getMessage(), e);
        }
    }
}
