/**
 * Instant recovery: a VM runs from a restore point served over NBD through qcow2 overlays while a
 * block copy moves each disk into a flat image and pivots onto it; sessions persist on disk, under
 * a lock, so a crashed agent's session can be resumed.
 */
package io.lifeboat.restore.instant;
