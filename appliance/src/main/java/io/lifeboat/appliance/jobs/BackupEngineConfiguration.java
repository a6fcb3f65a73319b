package io.lifeboat.appliance.jobs;

import io.lifeboat.appliance.backup.BackupEngine;
import io.lifeboat.appliance.backup.BackupException;
import io.lifeboat.appliance.backup.RecoveryReport;
import io.lifeboat.appliance.catalog.JobRepository;
import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.appliance.config.LifeboatProperties;
import io.lifeboat.appliance.inventory.LibvirtHosts;
import io.lifeboat.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The appliance's one {@link BackupEngine}: the chunk store's store, the default libvirt host
 * ({@code lifeboat.inventory.uris[0]}) and run directories under {@code <data-dir>/run}.
 *
 * <p>Before it takes jobs, catalog jobs a crashed appliance left QUEUED or RUNNING are marked
 * FAILED, and {@link BackupEngine#recover()} cleans up after it (run directories, libvirt backup
 * jobs, unnamed checkpoints, qemu-nbd processes); what it did is logged, and a failure is only a
 * warning: recovery runs again at the next start.
 *
 * <p>There is no engine when the store could not be opened (the bean is null): the appliance
 * stays up, and a backup request answers 503 with the store's reason, see {@link BackupJobs}.
 */
@Configuration(proxyBeanMethods = false)
class BackupEngineConfiguration {

    private static final Logger log = LoggerFactory.getLogger(BackupEngineConfiguration.class);

    @Bean(destroyMethod = "close")
    BackupEngine backupEngine(ChunkStore store, LibvirtHosts hosts, LifeboatProperties lifeboat,
                              BackupProperties properties, JobRepository jobs) {
        int abandoned = jobs.abandonUnfinished("the appliance stopped while the job ran");
        if (abandoned > 0) {
            log.warn("{} job(s) left unfinished by the last run of the appliance are marked FAILED", abandoned);
        }
        if (!store.isOpen()) {
            log.warn("No backup engine: {}", store.failure());
            return null;
        }
        BackupEngine engine;
        try {
            engine = new BackupEngine(hosts.defaultUri(), store.get(), lifeboat.dataDir().resolve("run"),
                    properties.options());
        } catch (StoreException e) {
            throw new IllegalStateException("the chunk store closed while starting: " + e.getMessage(), e);
        }
        recover(engine, hosts.defaultUri());
        log.info("Backup engine ready: libvirt {}, run directory {}, read limit {}", hosts.defaultUri(),
                lifeboat.dataDir().resolve("run"), properties.maxReadBytesPerSecond() == 0 ? "none"
                        : properties.maxReadBytesPerSecond() + " bytes/s per job");
        return engine;
    }

    private static void recover(BackupEngine engine, String uri) {
        try {
            RecoveryReport report = engine.recover();
            report.actions().forEach(a -> log.info("Backup recovery on {}: {}", uri, a));
            report.failures().forEach(f -> log.warn("Backup recovery on {}: {}", uri, f));
        } catch (BackupException | RuntimeException e) {
            log.warn("Backup recovery on {} failed ({}); it runs again at the next start", uri, e.getMessage());
        }
    }
}
