/**
 * Restores and instant recoveries as the appliance runs them: jobs over the restore-agent's
 * {@code VmRestore} and {@code InstantRecovery}, their catalog rows, and what they pin (a restore
 * point a VM runs on cannot be deleted).
 */
package io.lifeboat.appliance.restore;
