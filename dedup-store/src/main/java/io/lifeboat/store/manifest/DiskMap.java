package io.lifeboat.store.manifest;

import io.lifeboat.store.chunk.ChunkGrid;
import io.lifeboat.store.chunk.Digest;

import java.util.Arrays;
import java.util.Objects;

/**
 * The full map of one disk at one restore point: for every slot of the chunk grid, the digest
 * of its chunk, or "zero". Kept as one flat array of 32-byte digests (the all-zero value, which
 * no real SHA-256 takes, marks a zero slot), so a 16 GiB disk at 256 KiB chunks costs 2 MiB.
 */
public final class DiskMap {
    private static final byte[] ZERO = new byte[Digest.LENGTH];

    private final String name;
    private final ChunkGrid grid;
    private final byte[] slots;

    public DiskMap(String name, long size, int chunkSize) {
        this(name, new ChunkGrid(size, chunkSize), null);
    }

    private DiskMap(String name, ChunkGrid grid, byte[] slots) {
        this.name = Objects.requireNonNull(name);
        this.grid = grid;
        this.slots = slots != null ? slots : new byte[Math.multiplyExact(grid.slotCount(), Digest.LENGTH)];
    }

    /** A copy to be updated by an incremental backup: unchanged slots keep their chunks. */
    public DiskMap copy() {
        return new DiskMap(name, grid, slots.clone());
    }

    public String name() {
        return name;
    }

    public long size() {
        return grid.diskSize();
    }

    public int chunkSize() {
        return grid.chunkSize();
    }

    public ChunkGrid grid() {
        return grid;
    }

    public int slotCount() {
        return grid.slotCount();
    }

    public boolean isZero(int slot) {
        int off = slot * Digest.LENGTH;
        return Arrays.equals(slots, off, off + Digest.LENGTH, ZERO, 0, Digest.LENGTH);
    }

    /** The slot's digest, or null for a zero slot. */
    public Digest digest(int slot) {
        return isZero(slot) ? null : Digest.read(slots, slot * Digest.LENGTH);
    }

    public void set(int slot, Digest d) {
        d.writeTo(slots, slot * Digest.LENGTH);
    }

    public void setZero(int slot) {
        Arrays.fill(slots, slot * Digest.LENGTH, (slot + 1) * Digest.LENGTH, (byte) 0);
    }

    /** Raw access for the manifest codec. */
    byte[] slotBytes() {
        return slots;
    }

    static DiskMap of(String name, long size, int chunkSize, byte[] slots) {
        return new DiskMap(name, new ChunkGrid(size, chunkSize), slots);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DiskMap d && name.equals(d.name) && grid.equals(d.grid) && Arrays.equals(slots, d.slots);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, grid, Arrays.hashCode(slots));
    }
}
