/**
 * The changed-block backup engine, plain classes without Spring: full or incremental per the
 * checkpoint chain, libvirt pull-mode backup read over NBD into a store session, guest quiesce
 * through the agent, throttling, cancellation, and recovery after a crash from the run directory
 * each job leaves. Wired into the appliance by {@code jobs}.
 */
package io.lifeboat.appliance.backup;
