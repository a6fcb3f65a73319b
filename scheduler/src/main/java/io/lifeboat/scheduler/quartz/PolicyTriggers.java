package io.lifeboat.scheduler.quartz;

import java.time.Instant;
import java.util.Date;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TimeZone;

import io.lifeboat.scheduler.policy.BackupPolicy;
import io.lifeboat.scheduler.policy.CronSchedule;
import io.lifeboat.scheduler.policy.MisfireRule;
import io.lifeboat.scheduler.policy.ScheduleKind;
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

/**
 * A policy's schedules as Quartz jobs in the JDBC job store: one durable job and one cron trigger
 * per schedule (backup, and verify and GC if set), keyed {@code <policy>} in group
 * {@code policy-backup}, {@code policy-verify} or {@code policy-gc}. The trigger runs the cron in
 * the policy's zone with the misfire instruction of its {@link MisfireRule}:
 * {@code RUN_ONCE_IF_IN_WINDOW} is Quartz's fire-once-now, {@code SKIP} its do-nothing.
 * {@link MisfireListener} reports each misfire; {@link PolicyFiring} runs each firing.
 */
public final class PolicyTriggers {

    static final String POLICY = "policy";
    static final String KIND = "kind";
    static final String RUN_NOW = "runNow";
    private static final String GROUP_PREFIX = "policy-";

    private final Scheduler quartz;

    public PolicyTriggers(Scheduler quartz) {
        this.quartz = quartz;
    }

    static String group(ScheduleKind kind) {
        return GROUP_PREFIX + kind.name().toLowerCase(Locale.ROOT);
    }

    /** The schedule a trigger group belongs to, if it is a policy's. */
    static Optional<ScheduleKind> kindOf(String group) {
        for (ScheduleKind k : ScheduleKind.values()) {
            if (group(k).equals(group)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** Creates or replaces the policy's jobs and triggers; a paused policy's triggers are paused. */
    public void schedule(BackupPolicy policy, boolean paused) throws SchedulerException {
        unschedule(policy.name());
        for (Map.Entry<ScheduleKind, CronSchedule> e : policy.schedules().entrySet()) {
            ScheduleKind kind = e.getKey();
            JobDetail job = JobBuilder.newJob(PolicyFiring.class)
                    .withIdentity(policy.name(), group(kind))
                    .usingJobData(POLICY, policy.name())
                    .usingJobData(KIND, kind.name())
                    .storeDurably()
                    .build();
            CronScheduleBuilder cron = CronScheduleBuilder.cronSchedule(e.getValue().expression())
                    .inTimeZone(TimeZone.getTimeZone(policy.zone()));
            cron = policy.misfire() == MisfireRule.SKIP
                    ? cron.withMisfireHandlingInstructionDoNothing()
                    : cron.withMisfireHandlingInstructionFireAndProceed();
            CronTrigger trigger = TriggerBuilder.newTrigger().withIdentity(policy.name(), group(kind))
                    .withSchedule(cron).forJob(job).build();
            quartz.scheduleJob(job, Set.of(trigger), true);
            if (paused) {
                quartz.pauseTrigger(trigger.getKey());
            }
        }
    }

    public void unschedule(String policy) throws SchedulerException {
        for (ScheduleKind kind : ScheduleKind.values()) {
            quartz.deleteJob(JobKey.jobKey(policy, group(kind)));
        }
    }

    public void pause(String policy) throws SchedulerException {
        for (ScheduleKind kind : ScheduleKind.values()) {
            quartz.pauseTrigger(TriggerKey.triggerKey(policy, group(kind)));
        }
    }

    public void resume(String policy) throws SchedulerException {
        for (ScheduleKind kind : ScheduleKind.values()) {
            quartz.resumeTrigger(TriggerKey.triggerKey(policy, group(kind)));
        }
    }

    /** Fires the schedule once now, through Quartz, so exactly one appliance of a cluster runs it. */
    public void runNow(String policy, ScheduleKind kind) throws SchedulerException {
        JobDataMap data = new JobDataMap();
        data.put(RUN_NOW, "true");
        quartz.triggerJob(JobKey.jobKey(policy, group(kind)), data);
    }

    /** When Quartz will fire this schedule next, if it is scheduled and not paused. */
    public Optional<Instant> nextFireTime(String policy, ScheduleKind kind) throws SchedulerException {
        TriggerKey key = TriggerKey.triggerKey(policy, group(kind));
        Trigger t = quartz.getTrigger(key);
        if (t == null || quartz.getTriggerState(key) == Trigger.TriggerState.PAUSED) {
            return Optional.empty();
        }
        return Optional.ofNullable(t.getNextFireTime()).map(Date::toInstant);
    }

    public boolean isScheduled(String policy) throws SchedulerException {
        return quartz.checkExists(JobKey.jobKey(policy, group(ScheduleKind.BACKUP)));
    }
}
