package io.lifeboat.restore.runbook;

import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.RestorePointId;

/**
 * What a failback needs from whoever runs it: backups of the recovered VMs, by changed blocks,
 * into the store the runner restores from. The appliance at the primary site gives it (its backup
 * engine and catalog); a restore agent, which has no backup engine, runs no failback.
 */
@FunctionalInterface
public interface FailbackBackups {

    /**
     * A backup that has been committed.
     *
     * @param point   its restore point, readable from the runner's source
     * @param summary for the step's record: full or incremental, bytes read and stored
     */
    record Backup(RestorePointId point, String summary) {
    }

    /**
     * Backs up VM {@code name} on {@code uri} (running or shut off) and waits for its restore
     * point. A failure is a {@link StoreException} saying why.
     */
    Backup backup(String uri, String name) throws StoreException, InterruptedException;
}
