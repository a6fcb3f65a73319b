package io.lifeboat.scheduler.quartz;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.Optional;
import java.util.Set;
import java.util.TimeZone;
import java.util.TreeSet;

import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;

/**
 * Runbook drills as Quartz jobs in the JDBC job store, beside the policies': one durable job and
 * one cron trigger per runbook that has a drill, keyed {@code <runbook>} in group
 * {@value #GROUP}. A fire time missed while no appliance ran is not caught up (Quartz's
 * do-nothing misfire instruction): the drill waits for its next one. {@link DrillFiring} runs
 * each firing.
 */
public final class DrillTriggers {

    static final String GROUP = "runbook-drill";
    static final String RUNBOOK = "runbook";
    static final String RUN_NOW = "runNow";

    private final Scheduler quartz;

    public DrillTriggers(Scheduler quartz) {
        this.quartz = quartz;
    }

    /**
     * Creates the runbook's drill trigger, or replaces it when its cron or zone changed; one that
     * is the same already is left alone, keeping its next fire time.
     */
    public void schedule(String runbook, String cron, ZoneId zone) throws SchedulerException {
        TriggerKey key = TriggerKey.triggerKey(runbook, GROUP);
        if (quartz.getTrigger(key) instanceof CronTrigger t && t.getCronExpression().equals(cron)
                && t.getTimeZone().toZoneId().equals(zone)) {
            return;
        }
        JobDetail job = JobBuilder.newJob(DrillFiring.class).withIdentity(runbook, GROUP)
                .usingJobData(RUNBOOK, runbook).storeDurably().build();
        CronTrigger trigger = TriggerBuilder.newTrigger().withIdentity(key).forJob(job)
                .withSchedule(CronScheduleBuilder.cronSchedule(cron).inTimeZone(TimeZone.getTimeZone(zone))
                        .withMisfireHandlingInstructionDoNothing())
                .build();
        quartz.scheduleJob(job, Set.of(trigger), true);
    }

    /** Removes the runbook's drill, if it has one. */
    public void unschedule(String runbook) throws SchedulerException {
        quartz.deleteJob(JobKey.jobKey(runbook, GROUP));
    }

    /** Fires the drill once now, through Quartz, so exactly one appliance of a cluster runs it. */
    public void runNow(String runbook) throws SchedulerException {
        JobDataMap data = new JobDataMap();
        data.put(RUN_NOW, "true");
        quartz.triggerJob(JobKey.jobKey(runbook, GROUP), data);
    }

    /** When the runbook's drill fires next, if it has one. */
    public Optional<Instant> nextFireTime(String runbook) throws SchedulerException {
        Trigger t = quartz.getTrigger(TriggerKey.triggerKey(runbook, GROUP));
        return Optional.ofNullable(t == null ? null : t.getNextFireTime()).map(Date::toInstant);
    }

    /** The runbooks that have a drill scheduled. */
    public Set<String> scheduled() throws SchedulerException {
        Set<String> names = new TreeSet<>();
        quartz.getJobKeys(GroupMatcher.jobGroupEquals(GROUP)).forEach(k -> names.add(k.getName()));
        return names;
    }
}
