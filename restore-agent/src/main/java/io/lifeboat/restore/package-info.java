/**
 * Full restore of a restore point into a VM: where the chunks come from
 * ({@link io.lifeboat.restore.RestoreSource}: a local store, a bucket, or both), the plan (new VM,
 * clone beside the original, or over it; disk paths, formats, networks), disks written sparse
 * through hidden files renamed only when complete, and the domain remapped and defined.
 */
package io.lifeboat.restore;
