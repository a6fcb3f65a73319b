/**
 * {@code restore-agent}, the command line of a recovery site (picocli): list what a store or
 * bucket holds, restore, start and finish an instant recovery, resume one after a crash.
 */
package io.lifeboat.restore.agent;
