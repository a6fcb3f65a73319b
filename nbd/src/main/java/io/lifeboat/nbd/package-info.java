/**
 * The NBD protocol (fixed newstyle, structured replies, block status): a client that reads QEMU's
 * exports and dirty bitmaps and writes into writable ones (failback), and a server that exports a restore point to QEMU for instant
 * recovery. Plain Java, no dependencies.
 */
package io.lifeboat.nbd;
