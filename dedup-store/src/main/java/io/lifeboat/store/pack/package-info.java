/**
 * Pack files: chunks appended as framed, checksummed records with a footer that indexes them,
 * written to {@code packs/.tmp}, fsynced and renamed when sealed; read back frame by frame.
 */
package io.lifeboat.store.pack;
