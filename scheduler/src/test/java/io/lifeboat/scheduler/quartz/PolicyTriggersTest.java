package io.lifeboat.scheduler.quartz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.lifeboat.scheduler.policy.BackupPolicy;
import io.lifeboat.scheduler.policy.MisfireRule;
import io.lifeboat.scheduler.policy.PolicyDraft;
import io.lifeboat.scheduler.policy.ScheduleKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;

/** A policy's schedules on a real (in-memory) Quartz scheduler, and the firings and misfires it hands on. */
class PolicyTriggersTest {

    private final BlockingQueue<PolicyFiring.Firing> fired = new LinkedBlockingQueue<>();
    private Scheduler quartz;
    private PolicyTriggers triggers;

    @BeforeEach
    void startQuartz() throws Exception {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", "policy-triggers-test-" + System.nanoTime());
        p.setProperty("org.quartz.threadPool.threadCount", "1");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        quartz = new StdSchedulerFactory(p).getScheduler();
        quartz.setJobFactory((bundle, scheduler) -> new PolicyFiring(fired::add));
        quartz.start();
        triggers = new PolicyTriggers(quartz);
    }

    @AfterEach
    void stopQuartz() throws Exception {
        quartz.shutdown(true);
    }

    private static BackupPolicy policy(String name, boolean withVerify) {
        PolicyDraft d = new PolicyDraft().name(name).vmNames(List.of("vm1")).cron("0 30 22 ? * MON-FRI")
                .timeZone("Europe/Berlin").misfire("skip");
        if (withVerify) {
            d.verifyCron("0 0 6 ? * SUN");
        }
        return d.toPolicy();
    }

    @Test
    void eachScheduleIsOneJobAndTriggerInItsGroup() throws Exception {
        triggers.schedule(policy("nightly", true), false);

        assertThat(quartz.getJobKeys(GroupMatcher.anyJobGroup()))
                .containsExactlyInAnyOrder(JobKey.jobKey("nightly", "policy-backup"), JobKey.jobKey("nightly", "policy-verify"));
        Trigger backup = quartz.getTrigger(TriggerKey.triggerKey("nightly", "policy-backup"));
        assertThat(backup.getMisfireInstruction()).as("SKIP is Quartz's do-nothing")
                .isEqualTo(org.quartz.CronTrigger.MISFIRE_INSTRUCTION_DO_NOTHING);
        assertThat(triggers.isScheduled("nightly")).isTrue();
        assertThat(triggers.nextFireTime("nightly", ScheduleKind.BACKUP)).contains(backup.getNextFireTime().toInstant());
        assertThat(triggers.nextFireTime("nightly", ScheduleKind.GC)).as("no GC schedule").isEmpty();
    }

    @Test
    void rescheduleReplacesPauseHidesTheNextFireTimeUnscheduleRemoves() throws Exception {
        triggers.schedule(policy("p", true), false);
        triggers.schedule(policy("p", false), false);
        assertThat(quartz.getJobKeys(GroupMatcher.anyJobGroup())).containsExactly(JobKey.jobKey("p", "policy-backup"));

        triggers.pause("p");
        assertThat(triggers.nextFireTime("p", ScheduleKind.BACKUP)).isEmpty();
        triggers.resume("p");
        assertThat(triggers.nextFireTime("p", ScheduleKind.BACKUP)).isPresent();

        triggers.schedule(policy("q", false), true);
        assertThat(triggers.nextFireTime("q", ScheduleKind.BACKUP)).as("scheduled paused").isEmpty();

        triggers.unschedule("p");
        assertThat(triggers.isScheduled("p")).isFalse();
        assertThat(triggers.isScheduled("q")).isTrue();
    }

    @Test
    void runNowFiresThroughQuartzAndSaysSo() throws Exception {
        triggers.schedule(policy("now", true), true);
        Instant before = Instant.now();

        triggers.runNow("now", ScheduleKind.VERIFY);

        PolicyFiring.Firing f = fired.poll(30, TimeUnit.SECONDS);
        assertThat(f).isNotNull();
        assertThat(f.policy()).isEqualTo("now");
        assertThat(f.kind()).isEqualTo(ScheduleKind.VERIFY);
        assertThat(f.runNow()).isTrue();
        assertThat(f.fired()).isAfterOrEqualTo(f.scheduled().minusSeconds(1)).isAfterOrEqualTo(before.minusSeconds(1));
    }

    @Test
    void misfiresOfPolicyTriggersAreReportedWithTheirRule() throws Exception {
        record Missed(String policy, ScheduleKind kind, Instant at, MisfireRule rule) {
        }
        BlockingQueue<Missed> missed = new LinkedBlockingQueue<>();
        MisfireListener listener = new MisfireListener((p, k, at, rule) -> missed.add(new Missed(p, k, at, rule)));

        Trigger skip = TriggerBuilder.newTrigger().withIdentity("nightly", "policy-gc")
                .withSchedule(CronScheduleBuilder.cronSchedule("0 0 7 ? * SUN").withMisfireHandlingInstructionDoNothing())
                .startNow().build();
        Trigger runOnce = TriggerBuilder.newTrigger().withIdentity("nightly", "policy-backup")
                .withSchedule(CronScheduleBuilder.cronSchedule("0 30 22 * * ?").withMisfireHandlingInstructionFireAndProceed())
                .startNow().build();
        Trigger other = TriggerBuilder.newTrigger().withIdentity("x", "maintenance")
                .withSchedule(CronScheduleBuilder.cronSchedule("0 0 1 * * ?")).startNow().build();
        for (Trigger t : List.of(skip, runOnce, other)) {
            ((org.quartz.spi.OperableTrigger) t).computeFirstFireTime(null);
            listener.triggerMisfired(t);
        }

        assertThat(missed).containsExactly(
                new Missed("nightly", ScheduleKind.GC, skip.getNextFireTime().toInstant(), MisfireRule.SKIP),
                new Missed("nightly", ScheduleKind.BACKUP, runOnce.getNextFireTime().toInstant(), MisfireRule.RUN_ONCE_IF_IN_WINDOW));
    }

    @Test
    void theJobStoreSchemaFollowsTheCatalogDatabase() {
        assertThat(QuartzSchema.ofUrl("jdbc:h2:file:/var/lib/lifeboat/catalog")).isEqualTo(QuartzSchema.H2);
        assertThat(QuartzSchema.ofUrl("jdbc:postgresql://db:5432/lifeboat")).isEqualTo(QuartzSchema.POSTGRESQL);
        assertThat(QuartzSchema.POSTGRESQL.location()).isEqualTo("classpath:db/quartz/postgresql");
        assertThat(QuartzSchema.class.getResource("/db/quartz/postgresql/V11__quartz_tables.sql")).isNotNull();
        assertThat(QuartzSchema.class.getResource("/db/quartz/h2/V11__quartz_tables.sql")).isNotNull();
        assertThatThrownBy(() -> QuartzSchema.ofUrl("jdbc:mysql://db/lifeboat"))
                .hasMessage("the catalog runs on H2 or PostgreSQL, not on jdbc:mysql://db/lifeboat");
    }
}
