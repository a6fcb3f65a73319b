package io.lifeboat.appliance.restore;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * File-level restore, bound from {@code lifeboat.file-restore.*}.
 *
 * @param idleTimeout a session not used this long is closed (its appliance and export stop)
 * @param maxSessions how many sessions may be open at once (each is a qemu process); one more is a 409
 * @param forceTcg    run libguestfs' appliance without KVM; the default, as on hosts where KVM is
 *                    missing or nested KVM is broken; false uses KVM where the host has it (faster launch)
 * @param commandTimeout how long one step of a session (its appliance's boot, a listing, a
 *                    download) may take before the session's appliance is stopped
 */
@ConfigurationProperties("lifeboat.file-restore")
public record FileRestoreProperties(@DefaultValue("10m") Duration idleTimeout,
                                    @DefaultValue("4") int maxSessions,
                                    @DefaultValue("true") boolean forceTcg,
                                    @DefaultValue("15m") Duration commandTimeout) {

    public FileRestoreProperties {
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("lifeboat.file-restore.idle-timeout must be positive");
        }
        if (commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("lifeboat.file-restore.command-timeout must be positive");
        }
        if (maxSessions < 1) {
            throw new IllegalArgumentException("lifeboat.file-restore.max-sessions must be 1 or more, was " + maxSessions);
        }
    }
}
