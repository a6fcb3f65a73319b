/**
 * DR runbooks: which VMs come back, in which order, where, and how we know they are healthy.
 * {@link io.lifeboat.restore.runbook.RunbookParser} reads and checks their YAML (docs/runbooks.md).
 */
package io.lifeboat.restore.runbook;
