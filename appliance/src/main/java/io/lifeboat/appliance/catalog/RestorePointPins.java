package io.lifeboat.appliance.catalog;

import java.util.Optional;

import io.lifeboat.store.manifest.RestorePointId;

/**
 * Something that still reads a restore point and so must not lose it: a VM running on an
 * instant-recovery export of it, say. {@link RestorePointService#delete} refuses to delete a
 * pinned restore point, and retention keeps it until the pin goes.
 */
public interface RestorePointPins {

    /** Why {@code id} cannot be deleted now, for the user; empty if nothing here holds it. */
    Optional<String> pinned(RestorePointId id);
}
