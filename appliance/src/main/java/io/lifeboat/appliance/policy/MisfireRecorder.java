package io.lifeboat.appliance.policy;

import java.time.Instant;

import io.lifeboat.appliance.catalog.Timestamps;
import io.lifeboat.appliance.config.ApplianceNode;
import io.lifeboat.scheduler.policy.MisfireRule;
import io.lifeboat.scheduler.policy.ScheduleKind;
import io.lifeboat.scheduler.quartz.MisfireListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every misfire of a policy schedule in {@code policy_runs}, as the scheduler's
 * {@link MisfireListener} reports it: with the rule SKIP as SKIPPED_MISFIRE, with
 * RUN_ONCE_IF_IN_WINDOW as MISFIRE_PENDING, which the catch-up firing then takes over (see
 * {@link PolicyRunRepository#takePendingMisfire}).
 */
public class MisfireRecorder implements MisfireListener.Target {

    private static final Logger log = LoggerFactory.getLogger(MisfireRecorder.class);

    private final PolicyRunRepository runs;
    private final ApplianceNode node;

    public MisfireRecorder(PolicyRunRepository runs, ApplianceNode node) {
        this.runs = runs;
        this.node = node;
    }

    @Override
    public void missed(String policy, ScheduleKind kind, Instant missed, MisfireRule rule) {
        boolean skip = rule == MisfireRule.SKIP;
        PolicyRun.Outcome outcome = skip ? PolicyRun.Outcome.SKIPPED_MISFIRE : PolicyRun.Outcome.MISFIRE_PENDING;
        String detail = skip
                ? "missed while the appliance was down or busy; misfire rule SKIP: waiting for the next fire time"
                : "missed while the appliance was down or busy; misfire rule RUN_ONCE_IF_IN_WINDOW: runs once now if inside the window";
        runs.record(policy, kind, missed, Timestamps.now(), node.id(), PolicyRun.Cause.MISFIRE, outcome, detail);
        log.warn("Policy {}: {} fire time {} missed; {}", policy, kind, missed, skip ? "skipped" : "runs once now");
    }
}
