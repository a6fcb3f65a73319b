package io.lifeboat.appliance.catalog;

import java.util.Optional;

import io.lifeboat.store.manifest.RestorePointId;

/**
 * Something that still reads restore points and so must not lose them: a VM running on an
 * instant-recovery export of one, say. {@link RestorePointService#delete} refuses to delete a
 * pinned restore point, and retention keeps it until the pin goes.
 */
public interface RestorePointPins {

    /** The pins as they are now, looked up once: a retention run asks it for every point it removes. */
    Pinned pins();

    /** Why a restore point cannot be deleted now, for the user; empty if nothing holds it. */
    @FunctionalInterface
    interface Pinned {
        Optional<String> why(RestorePointId id);
    }
}
