/**
 * Restore points: a {@link io.lifeboat.store.manifest.Manifest} names the VM, the time and, per
 * disk, the chunk digest of every slot ({@link io.lifeboat.store.manifest.DiskMap}); written
 * whole, with a trailing SHA-256, only after every pack it needs is sealed and indexed.
 */
package io.lifeboat.store.manifest;
