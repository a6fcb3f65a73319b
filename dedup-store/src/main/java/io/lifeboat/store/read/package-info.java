/**
 * Reading chunks and disks back: {@link io.lifeboat.store.read.ChunkSource} is where chunks come
 * from (the local store, a bucket, or both in turn) and the one answer to whether a chunk is
 * readable; {@link io.lifeboat.store.read.DiskRestorer} writes whole disks from a manifest;
 * {@link io.lifeboat.store.read.DiskPatcher} writes a disk into an existing raw or qcow2 image
 * through qemu-nbd, only the slots that differ from what the image holds (failback).
 */
package io.lifeboat.store.read;
