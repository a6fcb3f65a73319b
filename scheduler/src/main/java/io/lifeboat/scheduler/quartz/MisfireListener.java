package io.lifeboat.scheduler.quartz;

import java.time.Instant;
import java.util.Date;
import java.util.Optional;

import io.lifeboat.scheduler.policy.MisfireRule;
import io.lifeboat.scheduler.policy.ScheduleKind;
import org.quartz.CronTrigger;
import org.quartz.JobExecutionContext;
import org.quartz.Trigger;
import org.quartz.TriggerListener;

/**
 * Hears every misfire of a policy schedule at the moment Quartz applies the misfire instruction
 * (at start for fire times missed while down, or when a long run ends) and tells the appliance
 * which fire time was missed and which {@link MisfireRule} applies. Triggers that are not a
 * policy's are ignored.
 */
public final class MisfireListener implements TriggerListener {

    /** Where misfires go: the appliance records each in its policy runs. */
    public interface Target {
        void missed(String policy, ScheduleKind kind, Instant missed, MisfireRule rule);
    }

    private final Target target;

    public MisfireListener(Target target) {
        this.target = target;
    }

    @Override
    public String getName() {
        return "lifeboat-misfires";
    }

    @Override
    public void triggerMisfired(Trigger trigger) {
        Optional<ScheduleKind> kind = PolicyTriggers.kindOf(trigger.getKey().getGroup());
        Date missed = trigger.getNextFireTime();
        if (kind.isEmpty() || missed == null) {
            return;
        }
        MisfireRule rule = trigger.getMisfireInstruction() == CronTrigger.MISFIRE_INSTRUCTION_DO_NOTHING
                ? MisfireRule.SKIP : MisfireRule.RUN_ONCE_IF_IN_WINDOW;
        target.missed(trigger.getKey().getName(), kind.get(), missed.toInstant(), rule);
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
