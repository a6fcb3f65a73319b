/**
 * The chunk index in RocksDB: digest to pack, offset and lengths, and each sealed pack's record.
 * A chunk is indexed only after its pack is fsynced and renamed into place.
 */
package io.lifeboat.store.index;
