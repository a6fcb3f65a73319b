package io.lifeboat.nbd;

/**
 * A run of bytes of the export that share one status in a meta context, as returned by
 * {@code NBD_CMD_BLOCK_STATUS}. The meaning of {@code flags} depends on the context.
 */
public record Extent(long offset, long length, int flags) {

    /** {@code base:allocation}: the range is not allocated (reads may still return data). */
    public static final int NBD_STATE_HOLE = 1;
    /** {@code base:allocation}: the range reads as zeroes. */
    public static final int NBD_STATE_ZERO = 1 << 1;
    /** {@code qemu:dirty-bitmap:*}: the range changed since the bitmap was started. */
    public static final int NBD_STATE_DIRTY = 1;

    public Extent {
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("bad extent offset " + offset + " length " + length);
        }
    }

    public long end() {
        return offset + length;
    }

    public boolean has(int flag) {
        return (flags & flag) == flag;
    }
}
