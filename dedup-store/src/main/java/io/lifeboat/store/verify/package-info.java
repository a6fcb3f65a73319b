/**
 * Verifying the local store: every chunk of every pack read, its CRC32C checked, decompressed and
 * hashed again; a report naming the restore points that need a bad or missing chunk.
 */
package io.lifeboat.store.verify;
