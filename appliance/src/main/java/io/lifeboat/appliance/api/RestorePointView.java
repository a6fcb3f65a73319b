package io.lifeboat.appliance.api;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.lifeboat.appliance.catalog.RestorePoint;
import io.lifeboat.store.manifest.Manifest;

/**
 * A restore point as the API shows it; {@code id} is {@code <vm>/<time>}, as in the URL.
 * {@code protected} and {@code notes} are the user's (PATCH), {@code replicated} is whether the
 * bucket held it at the last replication run, {@code verified} the last store verify that covered it,
 * {@code frozenMillis} how long an APPLICATION-consistent backup kept the guest's file systems frozen.
 */
public record RestorePointView(
        String id,
        String vm,
        Instant time,
        Manifest.Kind kind,
        String checkpoint,
        Manifest.Consistency consistency,
        List<RestorePoint.Disk> disks,
        long logicalBytes,
        long storedBytes,
        long newBytes,
        long durationMillis,
        RestorePoint.Status status,
        String reason,
        @JsonProperty("protected") boolean isProtected,
        String notes,
        boolean replicated,
        RestorePoint.Verified verified,
        Long frozenMillis) {

    static RestorePointView of(RestorePoint rp) {
        return new RestorePointView(rp.id().toString(), rp.vm(), rp.time(), rp.kind(), rp.checkpoint(),
                rp.consistency(), rp.disks(), rp.logicalBytes(), rp.storedBytes(), rp.newBytes(),
                rp.durationMillis(), rp.status(), rp.reason(), rp.isProtected(), rp.notes(), rp.replicated(),
                rp.verified(), rp.frozenMillis());
    }
}
