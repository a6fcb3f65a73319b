/**
 * Running jobs: the one job runner every kind of work goes through (backup, replication,
 * restore, instant recovery's copy, verify, GC), with progress copied to the catalog on one
 * schedule, end states and cancellation; the store's verify and GC as jobs; and the Spring wiring
 * of the backup engine and replication.
 */
package io.lifeboat.appliance.jobs;
