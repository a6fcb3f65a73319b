/**
 * Reading disks into a backup session: raw files, qcow2 images and NBD exports (qemu-nbd or a
 * libvirt pull-mode backup), extent by extent, so zero and unallocated ranges cost nothing and an
 * incremental reads only the dirty extents.
 */
package io.lifeboat.store.ingest;
