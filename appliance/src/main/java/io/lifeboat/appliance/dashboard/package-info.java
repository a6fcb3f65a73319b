/**
 * The console's front page in one read: each VM's protection (its policy, recovery point
 * objective, last backup and status), the running jobs, the store's totals and their history,
 * and the last day's failures. Reads only; computed from the catalog, the policies and the
 * default host's inventory at each call.
 */
package io.lifeboat.appliance.dashboard;
