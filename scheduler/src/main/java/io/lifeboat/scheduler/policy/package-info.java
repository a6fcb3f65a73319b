/**
 * Backup policies as the operator writes them: which VMs, cron schedules for backup, verify and
 * GC, the backup window, concurrency limits, retries and the misfire rule; validated whole, each
 * violation named, before anything is stored.
 */
package io.lifeboat.scheduler.policy;
