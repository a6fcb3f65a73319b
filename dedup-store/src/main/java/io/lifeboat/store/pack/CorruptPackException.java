package io.lifeboat.store.pack;

import io.lifeboat.store.StoreException;

/** A pack file that is not what its format says it should be. */
public class CorruptPackException extends StoreException {
    private final String pack;

    public CorruptPackException(String pack, String reason) {
        super(Kind.CORRUPT, "pack " + pack + ": " + reason);
        this.pack = pack;
    }

    public String pack() {
        return pack;
    }
}
