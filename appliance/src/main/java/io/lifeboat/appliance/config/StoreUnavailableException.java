package io.lifeboat.appliance.config;

import java.nio.file.Path;

import io.lifeboat.store.StoreException;

/** The chunk store could not be opened at startup; the API answers 503 with the reason. */
public class StoreUnavailableException extends StoreException {

    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(Path dir, String reason) {
        super(Kind.IO, "the chunk store " + dir + " is not available: " + reason);
    }
}
