package io.lifeboat.scheduler.quartz;

import java.time.Instant;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;

/**
 * The Quartz job behind every runbook drill ({@link DrillTriggers}): hands each firing to the
 * appliance's {@link Target}, which starts the test failover and returns. Quartz's job factory
 * must be able to construct it with the target (Spring's does).
 */
@DisallowConcurrentExecution
public class DrillFiring implements Job {

    /** One firing of one runbook's drill; {@code runNow} when it was fired by hand, not by its cron. */
    public record Firing(String runbook, Instant scheduled, Instant fired, boolean runNow) {
    }

    /** What runs a firing: the appliance's drills. */
    public interface Target {
        void fire(Firing firing);
    }

    private final Target target;

    public DrillFiring(Target target) {
        this.target = target;
    }

    @Override
    public void execute(JobExecutionContext context) {
        JobDataMap data = context.getMergedJobDataMap();
        target.fire(new Firing(data.getString(DrillTriggers.RUNBOOK), context.getScheduledFireTime().toInstant(),
                context.getFireTime().toInstant(), data.containsKey(DrillTriggers.RUN_NOW)));
    }
}
