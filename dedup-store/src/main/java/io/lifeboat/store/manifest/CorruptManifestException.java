package io.lifeboat.store.manifest;

import io.lifeboat.store.StoreException;

/** A manifest file that cannot be trusted: truncated, damaged, or of an unknown version. */
public class CorruptManifestException extends StoreException {
    public CorruptManifestException(String source, String reason) {
        super(Kind.CORRUPT, "manifest " + source + ": " + reason);
    }
}
