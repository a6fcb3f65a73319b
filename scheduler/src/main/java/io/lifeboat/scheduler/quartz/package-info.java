/**
 * Policies and runbook drills on Quartz: each schedule of a policy as a durable job and cron trigger in Quartz's
 * clustered JDBC job store ({@link io.lifeboat.scheduler.quartz.PolicyTriggers}), the job that
 * hands a firing to the appliance ({@link io.lifeboat.scheduler.quartz.PolicyFiring}), the
 * listener that reports misfires ({@link io.lifeboat.scheduler.quartz.MisfireListener}), and the
 * job store's tables per database ({@link io.lifeboat.scheduler.quartz.QuartzSchema}); runbook drills
 * the same way ({@link io.lifeboat.scheduler.quartz.DrillTriggers},
 * {@link io.lifeboat.scheduler.quartz.DrillFiring}). No Spring:
 * the appliance wires these into its Quartz scheduler.
 */
package io.lifeboat.scheduler.quartz;
