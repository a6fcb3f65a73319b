package io.lifeboat.appliance.restore;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a restore or instant recovery job restores and, once it succeeded, what it made; the job's
 * state and progress are in its {@link io.lifeboat.appliance.catalog.Job}.
 *
 * @param mode      {@code NEW_VM}, {@code CLONE}, {@code OVER_ORIGINAL} or {@code INSTANT}
 * @param vm        the VM restored into; null when only disk images are written
 * @param uuid      its UUID; null when no VM is defined
 * @param disks     the disk files, by disk name
 * @param sessionId the instant recovery session; null for a restore
 * @param bandwidth the instant recovery's copy limit in bytes/s (0: none); null for a restore
 * @param defined   a VM was defined; null until the job succeeded
 * @param started   it was started; null until the job succeeded
 * @param notes     what the restore changed beyond the request (disks left out, media ejected)
 */
public record RestoreRun(UUID jobId, String restorePoint, String mode, String vm, String uuid, String uri,
                         Map<String, String> disks, String sessionId, Long bandwidth, Boolean defined, Boolean started,
                         List<String> notes) {

    public static final String INSTANT = "INSTANT";
}
