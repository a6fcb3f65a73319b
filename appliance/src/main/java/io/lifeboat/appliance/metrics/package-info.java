/**
 * Prometheus metrics: backup outcomes, durations and bytes, and the chunk store's size, dedup and
 * compression ratios, refreshed on a schedule.
 */
package io.lifeboat.appliance.metrics;
