package io.lifeboat.store;

/**
 * How much a store holds and how well it dedups and compresses: what the appliance exports as
 * metrics and an operator reads to size the disk.
 *
 * @param packBytes bytes of sealed pack files, as indexed
 * @param distinctBytes raw bytes of the distinct chunks stored (each chunk once)
 * @param storedBytes compressed bytes of those chunks in their packs
 * @param referencedBytes raw bytes the restore points refer to, counting every reference (zero runs excluded)
 */
public record StoreUsage(long packBytes, long distinctBytes, long storedBytes, long referencedBytes) {
    /** Referenced over distinct raw bytes; NaN for an empty store. */
    public double dedupRatio() {
        return distinctBytes == 0 ? Double.NaN : (double) referencedBytes / distinctBytes;
    }

    /** Distinct raw over stored bytes; NaN for an empty store. */
    public double compressionRatio() {
        return storedBytes == 0 ? Double.NaN : (double) distinctBytes / storedBytes;
    }
}
