package io.lifeboat.store.chunk;

/**
 * The fixed, offset-aligned grid a disk is cut into: slot {@code i} covers
 * {@code [i * chunkSize, min((i + 1) * chunkSize, diskSize))}. Only the last slot can be short.
 * A fixed grid (rather than content-defined chunking) is what makes changed-block tracking pay:
 * a dirty extent maps to exactly the slots it touches, and a slot is re-read and re-hashed
 * without reading its neighbours.
 */
public record ChunkGrid(long diskSize, int chunkSize) {
    public static final int MIN_CHUNK_SIZE = 4096;
    public static final int MAX_CHUNK_SIZE = 16 << 20;

    public ChunkGrid {
        if (diskSize < 0) {
            throw new IllegalArgumentException("disk size must not be negative: " + diskSize);
        }
        validateChunkSize(chunkSize);
        if (ceilDiv(diskSize, chunkSize) > Integer.MAX_VALUE / Digest.LENGTH) {
            throw new IllegalArgumentException("disk of " + diskSize + " bytes has too many " + chunkSize
                    + "-byte chunks; use a larger chunk size");
        }
    }

    public static void validateChunkSize(int chunkSize) {
        if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE || Integer.bitCount(chunkSize) != 1) {
            throw new IllegalArgumentException("chunk size must be a power of two between "
                    + MIN_CHUNK_SIZE + " and " + MAX_CHUNK_SIZE + " bytes, got " + chunkSize);
        }
    }

    public int slotCount() {
        return (int) ceilDiv(diskSize, chunkSize);
    }

    public long slotOffset(int slot) {
        return (long) slot * chunkSize;
    }

    public int slotLength(int slot) {
        return (int) Math.min(chunkSize, diskSize - slotOffset(slot));
    }

    /** First slot touching {@code offset}. */
    public int slotAt(long offset) {
        return (int) (offset / chunkSize);
    }

    /** One past the last slot touching {@code [offset, offset + length)}. */
    public int slotEnd(long offset, long length) {
        return (int) Math.min(slotCount(), ceilDiv(offset + length, chunkSize));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
