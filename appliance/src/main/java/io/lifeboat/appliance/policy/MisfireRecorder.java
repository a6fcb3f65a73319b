package io.lifeboat.appliance.policy;

import java.util.Date;
import java.util.Optional;

import io.lifeboat.appliance.catalog.Timestamps;
import io.lifeboat.appliance.config.ApplianceNode;
import org.quartz.CronTrigger;
import org.quartz.JobExecutionContext;
import org.quartz.Trigger;
import org.quartz.TriggerListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every misfire of a policy schedule in {@code policy_runs}, at the moment Quartz applies
 * the misfire instruction (at start for fire times missed while down, or when a long run ends):
 * with the rule SKIP as SKIPPED_MISFIRE, with RUN_ONCE_IF_IN_WINDOW as MISFIRE_PENDING, which the
 * catch-up firing then takes over (see {@link PolicyRunRepository#takePendingMisfire}).
 */
public class MisfireRecorder implements TriggerListener {

    private static final Logger log = LoggerFactory.getLogger(MisfireRecorder.class);

    private final PolicyRunRepository runs;
    private final ApplianceNode node;

    public MisfireRecorder(PolicyRunRepository runs, ApplianceNode node) {
        this.runs = runs;
        this.node = node;
    }

    @Override
    public String getName() {
        return "lifeboat-misfires";
    }

    @Override
    public void triggerMisfired(Trigger trigger) {
        Optional<PolicyRun.Kind> kind = PolicySchedules.kindOf(trigger.getKey().getGroup());
        Date missed = trigger.getNextFireTime();
        if (kind.isEmpty() || missed == null) {
            return;
        }
        String policy = trigger.getKey().getName();
        boolean skip = trigger.getMisfireInstruction() == CronTrigger.MISFIRE_INSTRUCTION_DO_NOTHING;
        PolicyRun.Outcome outcome = skip ? PolicyRun.Outcome.SKIPPED_MISFIRE : PolicyRun.Outcome.MISFIRE_PENDING;
        String detail = skip
                ? "missed while the appliance was down or busy; misfire rule SKIP: waiting for the next fire time"
                : "missed while the appliance was down or busy; misfire rule RUN_ONCE_IF_IN_WINDOW: runs once now if inside the window";
        runs.record(policy, kind.get(), missed.toInstant(), Timestamps.now(), node.id(), PolicyRun.Cause.MISFIRE, outcome, detail);
        log.warn("Policy {}: {} fire time {} missed; {}", policy, kind.get(), missed.toInstant(), skip ? "skipped" : "runs once now");
    }

    @Override
    public void triggerFired(Trigger trigger, JobExecutionContext context) {
    }

    @Override
    public boolean vetoJobExecution(Trigger trigger, JobExecutionContext context) {
        return false;
    }

    @Override
    public void triggerComplete(Trigger trigger, JobExecutionContext context,
                                Trigger.CompletedExecutionInstruction instruction) {
    }
}
