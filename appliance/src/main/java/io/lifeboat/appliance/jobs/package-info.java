/**
 * Running jobs: the one job runner every kind of work goes through (backup, replication,
 * restore, instant recovery, verify, GC), with progress copied to the catalog, end states and
 * cancellation; and the Spring wiring of the backup engine and replication.
 */
package io.lifeboat.appliance.jobs;
