package io.lifeboat.appliance.backup;

import java.time.Duration;

/**
 * Tunables of the backup engine.
 *
 * @param maxReadBytesPerSecond limit on bytes read from a VM's disks per job (0: unlimited), to
 *                              spare production storage during business hours
 * @param agentTimeout          how long the guest agent may take to freeze the file systems
 * @param jobEndTimeout         how long libvirt may take to end a backup job after abortJob
 */
public record BackupOptions(long maxReadBytesPerSecond, Duration agentTimeout, Duration jobEndTimeout) {
    public BackupOptions {
        if (maxReadBytesPerSecond < 0) {
            throw new IllegalArgumentException("read limit must be >= 0, got " + maxReadBytesPerSecond);
        }
        if (agentTimeout.isNegative() || agentTimeout.isZero() || jobEndTimeout.isNegative() || jobEndTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    public static BackupOptions defaults() {
        return new BackupOptions(0, Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    public BackupOptions withMaxReadBytesPerSecond(long limit) {
        return new BackupOptions(limit, agentTimeout, jobEndTimeout);
    }
}
