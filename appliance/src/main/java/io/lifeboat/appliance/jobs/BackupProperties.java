package io.lifeboat.appliance.jobs;

import java.time.Duration;

import io.lifeboat.appliance.backup.BackupOptions;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Backup tunables, bound from {@code lifeboat.backup.*}.
 *
 * @param maxReadBytesPerSecond limit on bytes read from a VM's disks per backup job (0: unlimited)
 * @param agentTimeout          how long the guest agent may take to freeze the file systems
 * @param jobEndTimeout         how long libvirt may take to end a backup job
 * @param progressInterval      how often a running job's progress is copied to the catalog
 * @param maxConcurrent         how many backups policies may have running on this appliance at once,
 *                              over all policies (each policy's own limits apply within it as well)
 */
@ConfigurationProperties("lifeboat.backup")
public record BackupProperties(@DefaultValue("0") long maxReadBytesPerSecond,
                               @DefaultValue("10s") Duration agentTimeout,
                               @DefaultValue("60s") Duration jobEndTimeout,
                               @DefaultValue("500ms") Duration progressInterval,
                               @DefaultValue("4") int maxConcurrent) {

    public BackupProperties {
        if (progressInterval.isNegative() || progressInterval.isZero()) {
            throw new IllegalArgumentException("lifeboat.backup.progress-interval must be positive");
        }
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("lifeboat.backup.max-concurrent must be 1 or more, was " + maxConcurrent);
        }
    }

    /** The engine's options; they check the rest. */
    public BackupOptions options() {
        return new BackupOptions(maxReadBytesPerSecond, agentTimeout, jobEndTimeout);
    }
}
