package io.lifeboat.store.chunk;

/** How a chunk's payload is stored in a pack. The byte value is part of the pack format. */
public enum Codec {
    RAW(0),
    ZSTD(1);

    public final int id;

    Codec(int id) {
        this.id = id;
    }

    public static Codec of(int id) {
        for (Codec c : values()) {
            if (c.id == id) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown codec " + id);
    }
}
