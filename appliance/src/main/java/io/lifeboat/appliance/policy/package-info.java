/**
 * Backup policies in the appliance: stored in the catalog, scheduled on Quartz through the
 * {@code scheduler} module, each firing run as a round of backups within the policy's limits and
 * window, retention applied after it, misfires recorded.
 */
package io.lifeboat.appliance.policy;
