package io.lifeboat.appliance.metrics;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.lifeboat.appliance.catalog.Timestamps;
import io.lifeboat.appliance.config.ApplianceNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Backup health per VM and job durations, read from the catalog, for Prometheus:
 * <ul>
 * <li>{@code lifeboat_backup_last_success_timestamp_seconds{vm}}: when the VM's newest available
 *     restore point was taken;</li>
 * <li>{@code lifeboat_backup_rpo_lag_seconds{vm}}: how old that restore point is now — the data
 *     lost if the VM died this instant;</li>
 * <li>{@code lifeboat_job_duration_seconds{kind,outcome}}: a timer of the jobs this appliance ran,
 *     from start to end, recorded as they end.</li>
 * </ul>
 * Refreshed every {@code lifeboat.metrics.refresh} (default 30 s), after each policy run, and
 * with {@link StoreMetrics}.
 */
@Component
public class BackupMetrics {

    private static final Logger log = LoggerFactory.getLogger(BackupMetrics.class);

    private record Newest(String vm, Instant taken) {
    }

    private record Ended(String kind, String state, Instant started, Instant ended) {
    }

    private final JdbcClient jdbc;
    private final ApplianceNode node;
    private final MeterRegistry registry;
    private final StoreMetrics store;
    private final Duration every;
    private final MultiGauge lastSuccess;
    private final MultiGauge rpoLag;
    private Instant jobsSeenUntil = Timestamps.now();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "metrics");
        t.setDaemon(true);
        return t;
    });

    public BackupMetrics(JdbcClient jdbc, ApplianceNode node, MeterRegistry registry, StoreMetrics store,
                         @org.springframework.beans.factory.annotation.Value("${lifeboat.metrics.refresh:30s}") Duration every) {
        this.jdbc = jdbc;
        this.node = node;
        this.registry = registry;
        this.store = store;
        this.every = every;
        this.lastSuccess = MultiGauge.builder("lifeboat.backup.last.success.timestamp").baseUnit("seconds")
                .description("When the newest available restore point of the VM was taken").register(registry);
        this.rpoLag = MultiGauge.builder("lifeboat.backup.rpo.lag").baseUnit("seconds")
                .description("Age of the newest available restore point of the VM").register(registry);
    }

    @EventListener(ApplicationReadyEvent.class)
    void startSchedule() {
        timer.scheduleWithFixedDelay(this::refreshQuietly, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            log.warn("Metrics not refreshed: {}", e.getMessage());
        }
    }

    /** Reads the catalog and the store again. */
    public synchronized void refresh() {
        Instant now = Timestamps.now();
        List<Newest> newest = jdbc.sql("SELECT vm, MAX(taken_at) AS taken_at FROM restore_points WHERE status = 'AVAILABLE' GROUP BY vm")
                .query((ResultSet rs, int n) -> new Newest(rs.getString("vm"), Timestamps.read(rs, "taken_at"))).list();
        lastSuccess.register(newest.stream().map(v -> MultiGauge.Row.of(Tags.of("vm", v.vm()),
                v.taken().toEpochMilli() / 1000.0)).toList(), true);
        rpoLag.register(newest.stream().map(v -> MultiGauge.Row.of(Tags.of("vm", v.vm()),
                Duration.between(v.taken(), now).toMillis() / 1000.0)).toList(), true);
        recordEndedJobs();
        store.refresh();
    }

    private void recordEndedJobs() {
        List<Ended> ended = jdbc.sql("SELECT kind, state, started_at, ended_at FROM jobs WHERE node = ? AND ended_at > ?"
                        + " ORDER BY ended_at")
                .params(node.id(), Timestamps.utc(jobsSeenUntil))
                .query(BackupMetrics::ended).list();
        for (Ended e : ended) {
            if (e.started() != null) {
                Timer.builder("lifeboat.job.duration").description("How long jobs ran, by kind and outcome")
                        .tags("kind", e.kind(), "outcome", e.state()).register(registry)
                        .record(Duration.between(e.started(), e.ended()));
            }
            jobsSeenUntil = e.ended();
        }
    }

    private static Ended ended(ResultSet rs, int n) throws SQLException {
        return new Ended(rs.getString("kind"), rs.getString("state"), Timestamps.read(rs, "started_at"),
                Timestamps.read(rs, "ended_at"));
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }
}
