/**
 * Garbage collection: marks the chunks every restore point references, sweeps index entries
 * touched before the cutoff (the start of the oldest running backup session, so its chunks stay),
 * deletes packs with no live chunk and copies the live chunks out of mostly dead ones.
 */
package io.lifeboat.store.gc;
