package io.lifeboat.scheduler.quartz;

import java.time.Instant;

import io.lifeboat.scheduler.policy.ScheduleKind;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;

/**
 * The Quartz job behind every policy schedule. Quartz's clustered JDBC store hands each firing to
 * one appliance; this hands it to the appliance's {@link Target}. Not concurrent per schedule: a
 * backup run that outlasts its period makes the next fire time wait, and a wait longer than the
 * misfire threshold is a misfire, handled by the policy's rule like a fire time missed while down.
 * Quartz's job factory must be able to construct it with the target (Spring's does).
 */
@DisallowConcurrentExecution
public class PolicyFiring implements Job {

    /** One firing of one schedule of one policy. */
    public record Firing(String policy, ScheduleKind kind, Instant scheduled, Instant fired, boolean runNow) {
    }

    /** What runs a firing: the appliance's policy runner. */
    public interface Target {
        void fire(Firing firing);
    }

    private final Target target;

    public PolicyFiring(Target target) {
        this.target = target;
    }

    @Override
    public void execute(JobExecutionContext context) {
        JobDataMap data = context.getMergedJobDataMap();
        target.fire(new Firing(data.getString(PolicyTriggers.POLICY),
                ScheduleKind.valueOf(data.getString(PolicyTriggers.KIND)),
                context.getScheduledFireTime().toInstant(), context.getFireTime().toInstant(),
                data.containsKey(PolicyTriggers.RUN_NOW)));
    }
}
