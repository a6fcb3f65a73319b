/**
 * Retention: which restore points a policy keeps (keep-last, -hourly, -daily, -weekly, -monthly,
 * -yearly, as PBS counts them) and which it prunes, with the rule behind each, computed without
 * touching the store.
 */
package io.lifeboat.scheduler.retention;
