package io.lifeboat.appliance.policy;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;

/**
 * The Quartz job behind every policy schedule. Quartz's clustered JDBC store hands each firing to
 * one appliance; this hands it to {@link PolicyRunner}. Not concurrent per schedule: a backup run
 * that outlasts its period makes the next fire time wait, and a wait longer than the misfire
 * threshold is a misfire, handled by the policy's rule like a fire time missed while down.
 */
@DisallowConcurrentExecution
public class PolicyFiring implements Job {

    private final PolicyRunner runner;

    public PolicyFiring(PolicyRunner runner) {
        this.runner = runner;
    }

    @Override
    public void execute(JobExecutionContext context) {
        JobDataMap data = context.getMergedJobDataMap();
        String policy = data.getString(PolicySchedules.POLICY);
        PolicyRun.Kind kind = PolicyRun.Kind.valueOf(data.getString(PolicySchedules.KIND));
        boolean runNow = data.containsKey(PolicySchedules.RUN_NOW);
        runner.fire(policy, kind, context.getScheduledFireTime().toInstant(), context.getFireTime().toInstant(), runNow);
    }
}
