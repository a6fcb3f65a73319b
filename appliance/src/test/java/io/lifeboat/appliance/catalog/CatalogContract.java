package io.lifeboat.appliance.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import io.lifeboat.appliance.security.UserAccount;
import io.lifeboat.appliance.security.UserAccounts;
import io.lifeboat.store.Progress;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DuplicateKeyException;
import io.lifeboat.scheduler.quartz.QuartzSchema;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What every catalog database must do: take the migrations, then store and return restore
 * points, jobs, audit entries and users unchanged. Run against H2 and PostgreSQL by subclasses.
 */
abstract class CatalogContract {

    /** A fresh, empty database for one test. */
    protected abstract DataSource freshDatabase() throws Exception;

    private RestorePointRepository restorePoints;
    private JobRepository jobs;
    private AuditLog audit;
    private UserAccounts users;
    private ReplicationStateRepository replication;
    private MigrateResult migration;
    private JdbcClient jdbc;

    @BeforeEach
    void migrate() throws Exception {
        DataSource ds = freshDatabase();
        migration = Flyway.configure().dataSource(ds)
                .locations("classpath:db/migration", QuartzSchema.location(ds)).load().migrate();
        jdbc = JdbcClient.create(ds);
        restorePoints = new RestorePointRepository(jdbc);
        jobs = new JobRepository(jdbc);
        audit = new AuditLog(jdbc);
        users = new UserAccounts(jdbc);
        replication = new ReplicationStateRepository(jdbc);
    }

    private static RestorePoint restorePoint(String vm, String time) {
        return new RestorePoint(RestorePointId.parse(vm + "/" + time), Manifest.Kind.INCREMENTAL, "cp-7",
                Manifest.Consistency.APPLICATION,
                List.of(new RestorePoint.Disk("vda", 10L << 30), new RestorePoint.Disk("vdb", 1L << 20)),
                (10L << 30) + (1L << 20), 12_345, 67_890, 4_321, RestorePoint.Status.AVAILABLE, null, false, null,
                RestorePoint.Verified.NONE, false, 87L);
    }

    @Test
    void migrationsApply() {
        assertThat(migration.success).isTrue();
        assertThat(migration.migrationsExecuted).isPositive();
    }

    @Test
    void restorePointRoundTrip() {
        RestorePoint rp = restorePoint("web01", "20261127T070102.123Z");
        restorePoints.insert(rp);
        restorePoints.insert(restorePoint("web01", "20261126T070102.123Z"));
        restorePoints.insert(restorePoint("db01", "20261127T000000.000Z"));

        assertThat(restorePoints.find(rp.id())).contains(rp);
        assertThat(restorePoints.listAvailable("web01")).extracting(r -> r.id().toString())
                .containsExactly("web01/20261126T070102.123Z", "web01/20261127T070102.123Z");
        assertThat(restorePoints.listAvailable(null)).extracting(RestorePoint::vm).containsExactly("db01", "web01", "web01");
        assertThat(restorePoints.countAvailable()).isEqualTo(3);
        assertThatThrownBy(() -> restorePoints.insert(rp)).isInstanceOf(DuplicateKeyException.class);

        assertThat(restorePoints.markDeleted(rp.id(), "deleted by admin")).isTrue();
        assertThat(restorePoints.markDeleted(rp.id(), "again")).isFalse();
        RestorePoint deleted = restorePoints.find(rp.id()).orElseThrow();
        assertThat(deleted.status()).isEqualTo(RestorePoint.Status.DELETED);
        assertThat(deleted.reason()).isEqualTo("deleted by admin");
        assertThat(deleted.disks()).isEqualTo(rp.disks());
        assertThat(restorePoints.countAvailable()).isEqualTo(2);
        assertThat(restorePoints.find(RestorePointId.parse("web01/20200101T000000.000Z"))).isEmpty();
    }

    @Test
    void jobLifecycle() {
        Instant before = Instant.now().minusSeconds(1);
        Job job = jobs.create(Job.Kind.BACKUP, "web01");
        assertThat(jobs.find(job.id())).contains(job);
        assertThat(jobs.progress(job.id(), new Progress.Snapshot("early", 1, 2))).as("not running yet").isFalse();

        assertThat(jobs.start(job.id())).isTrue();
        assertThat(jobs.progress(job.id(), new Progress.Snapshot("backup vda", 512, 2048))).isTrue();
        Job running = jobs.find(job.id()).orElseThrow();
        assertThat(running.state()).isEqualTo(Job.State.RUNNING);
        assertThat(running.phase()).isEqualTo("backup vda");
        assertThat(running.bytesDone()).isEqualTo(512);
        assertThat(running.bytesTotal()).isEqualTo(2048);
        assertThat(running.started()).isAfter(before);

        assertThat(jobs.finish(job.id(), Job.State.SUCCEEDED, null)).isTrue();
        assertThat(jobs.finish(job.id(), Job.State.FAILED, "late")).as("final states stay").isFalse();
        assertThat(jobs.progress(job.id(), new Progress.Snapshot("late", 1, 1))).isFalse();
        Job done = jobs.find(job.id()).orElseThrow();
        assertThat(done.state()).isEqualTo(Job.State.SUCCEEDED);
        assertThat(done.ended()).isAfterOrEqualTo(done.started());

        Job other = jobs.create(Job.Kind.GC, null);
        assertThat(jobs.list(null, 10)).extracting(Job::id).containsExactlyInAnyOrder(job.id(), other.id());
        assertThat(jobs.list(Job.State.QUEUED, 10)).extracting(Job::id).containsExactly(other.id());
        assertThat(jobs.list(null, 1)).hasSize(1);
        assertThat(jobs.find(UUID.randomUUID())).isEmpty();
    }

    @Test
    void jobsLeftUnfinishedByACrashAreEndedAtStart() {
        Job queued = jobs.create(Job.Kind.BACKUP, "web01");
        Job running = jobs.create(Job.Kind.BACKUP, "web02");
        jobs.start(running.id());
        Job done = jobs.create(Job.Kind.BACKUP, "web03");
        jobs.start(done.id());
        jobs.finish(done.id(), Job.State.SUCCEEDED, null);

        assertThat(jobs.abandonUnfinished("the appliance stopped while the job ran")).isEqualTo(2);
        for (Job j : List.of(queued, running)) {
            Job after = jobs.find(j.id()).orElseThrow();
            assertThat(after.state()).isEqualTo(Job.State.FAILED);
            assertThat(after.error()).isEqualTo("the appliance stopped while the job ran");
            assertThat(after.ended()).isNotNull();
        }
        assertThat(jobs.find(done.id()).orElseThrow().state()).isEqualTo(Job.State.SUCCEEDED);
        assertThat(jobs.abandonUnfinished("again")).isZero();
    }

    @Test
    void anApplianceAbandonsOnlyItsOwnUnfinishedJobs() {
        JobRepository mine = new JobRepository(jdbc, "node-a");
        JobRepository theirs = new JobRepository(jdbc, "node-b");
        Job myJob = mine.create(Job.Kind.BACKUP, "web01");
        Job theirJob = theirs.create(Job.Kind.BACKUP, "web02");
        theirs.start(theirJob.id());

        assertThat(mine.abandonUnfinished("node-a restarted")).isEqualTo(1);
        assertThat(mine.find(myJob.id()).orElseThrow().state()).isEqualTo(Job.State.FAILED);
        assertThat(mine.find(theirJob.id()).orElseThrow().state()).isEqualTo(Job.State.RUNNING);
        assertThat(mine.nodeOf(theirJob.id())).contains("node-b");
    }

    @Test
    void quartzTablesExistForTheJobStore() {
        assertThat(jdbc.sql("SELECT COUNT(*) FROM QRTZ_LOCKS").query(Long.class).single()).isZero();
        assertThat(jdbc.sql("SELECT COUNT(*) FROM policy_runs").query(Long.class).single()).isZero();
    }

    @Test
    void auditLogKeepsEntriesNewestFirst() {
        audit.record("admin", "restore-point.delete", "web01/20261127T070102.123Z", AuditEntry.Outcome.SUCCEEDED, null);
        audit.record("admin", "restore-point.delete", "db01/20261127T000000.000Z", AuditEntry.Outcome.FAILED, "x".repeat(5000));

        List<AuditEntry> recent = audit.recent(10);

        assertThat(recent).extracting(AuditEntry::target)
                .containsExactly("db01/20261127T000000.000Z", "web01/20261127T070102.123Z");
        assertThat(recent.get(0).outcome()).isEqualTo(AuditEntry.Outcome.FAILED);
        assertThat(recent.get(0).detail()).hasSize(2000);
        assertThat(recent.get(1).time()).isBefore(Instant.now().plusSeconds(1));
    }

    @Test
    void usersAreUnique() {
        UserAccount admin = new UserAccount("admin", "$2a$10$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZa", "ADMIN");

        assertThat(users.create(admin)).isTrue();
        assertThat(users.create(admin)).isFalse();
        assertThat(users.find("admin")).contains(admin);
        assertThat(users.find("nobody")).isEmpty();
    }

    @Test
    void replicationStateKeepsTheNewestPointPerVmAndEachRunsReport() {
        Instant checked = Timestamps.now();
        replication.recordBucket(List.of(RestorePointId.parse("web/20261127T070102.123Z"),
                RestorePointId.parse("web/20261127T090000.000Z"), RestorePointId.parse("db/20261126T230000.000Z")), checked);
        assertThat(replication.vms()).containsExactly(
                new ReplicationStateRepository.VmState("db", RestorePointId.parse("db/20261126T230000.000Z"), checked),
                new ReplicationStateRepository.VmState("web", RestorePointId.parse("web/20261127T090000.000Z"), checked));
        // the bucket no longer holds any point of db (pruned): its row goes
        replication.recordBucket(List.of(RestorePointId.parse("web/20261127T090000.000Z")), checked);
        assertThat(replication.vms()).extracting(ReplicationStateRepository.VmState::vm).containsExactly("web");

        assertThat(replication.lastRun()).isEmpty();
        Job failed = jobs.create(Job.Kind.REPLICATION, null);
        jobs.start(failed.id());
        jobs.finish(failed.id(), Job.State.FAILED, "cannot reach http://127.0.0.1:1");
        assertThat(replication.lastRun()).hasValueSatisfying(r -> {
            assertThat(r.job()).isEqualTo(failed.id());
            assertThat(r.state()).isEqualTo(Job.State.FAILED);
            assertThat(r.report()).isNull();
        });
        Job ok = jobs.create(Job.Kind.REPLICATION, null);
        jobs.start(ok.id());
        var report = new io.lifeboat.store.replication.ReplicationReport(3, 2, 99_000_000L, 7, 5, List.of("restore point x: gone", "pack y: gone"),
                new io.lifeboat.store.replication.PruneReport(true, "2 pack(s) wait for their grace period", 1, 3, 12_345_678L, 0, 2, 4));
        replication.recordRun(ok.id(), report);
        jobs.finish(ok.id(), Job.State.FAILED, "partial");
        assertThat(replication.lastRun()).hasValueSatisfying(r -> {
            assertThat(r.job()).isEqualTo(ok.id());
            assertThat(r.report()).isEqualTo(report);
        });
        Job unpruned = jobs.create(Job.Kind.REPLICATION, null);
        jobs.start(unpruned.id());
        var plain = new io.lifeboat.store.replication.ReplicationReport(0, 0, 0, 12, 6, List.of(), null);
        replication.recordRun(unpruned.id(), plain);
        jobs.finish(unpruned.id(), Job.State.SUCCEEDED, null);
        assertThat(replication.lastRun()).hasValueSatisfying(r -> assertThat(r.report()).isEqualTo(plain));
    }

    @Test
    void restorePointMarksVerifyOutcomeAndReplication() {
        RestorePoint rp = restorePoint("web01", "20261127T070102.123Z");
        RestorePoint other = restorePoint("web01", "20261128T070102.123Z");
        restorePoints.insert(rp);
        restorePoints.insert(other);
        RestorePoint fresh = restorePoints.find(rp.id()).orElseThrow();
        assertThat(fresh.isProtected()).isFalse();
        assertThat(fresh.notes()).isNull();
        assertThat(fresh.verified()).isEqualTo(RestorePoint.Verified.NONE);
        assertThat(fresh.replicated()).isFalse();

        assertThat(restorePoints.updateMarks(rp.id(), true, "ünïcode notes")).isTrue();
        assertThat(restorePoints.updateMarks(rp.id(), null, null)).as("nothing to change, but there").isTrue();
        RestorePoint marked = restorePoints.find(rp.id()).orElseThrow();
        assertThat(marked.isProtected()).isTrue();
        assertThat(marked.notes()).isEqualTo("ünïcode notes");
        assertThat(restorePoints.updateMarks(rp.id(), false, null)).isTrue();
        assertThat(restorePoints.find(rp.id()).orElseThrow().notes()).isEqualTo("ünïcode notes");
        assertThat(restorePoints.updateMarks(rp.id(), null, "")).isTrue();
        assertThat(restorePoints.find(rp.id()).orElseThrow().notes()).isNull();
        assertThat(restorePoints.updateMarks(RestorePointId.parse("web01/20200101T000000.000Z"), true, null)).isFalse();

        Instant at = Timestamps.now();
        restorePoints.recordVerify(List.of(rp.id(), other.id()), java.util.Set.of(other.id()), at);
        assertThat(restorePoints.find(rp.id()).orElseThrow().verified())
                .isEqualTo(new RestorePoint.Verified(RestorePoint.Verified.State.OK, at));
        assertThat(restorePoints.find(other.id()).orElseThrow().verified())
                .isEqualTo(new RestorePoint.Verified(RestorePoint.Verified.State.FAILED, at));

        replication.recordBucket(List.of(rp.id()), at);
        assertThat(restorePoints.listAvailable("web01")).extracting(RestorePoint::replicated).containsExactly(true, false);
        replication.recordBucket(List.of(other.id()), at);
        assertThat(restorePoints.listAvailable("web01")).extracting(RestorePoint::replicated).containsExactly(false, true);

        assertThat(restorePoints.markDeleted(rp.id(), "deleted by admin")).isTrue();
        assertThat(restorePoints.updateMarks(rp.id(), true, null)).as("deleted").isFalse();
    }

    @Test
    void auditPagesNewestFirstWithFilters() {
        Instant start = Timestamps.now();
        for (int i = 0; i < 5; i++) {
            audit.record("admin", "vm.tags", "web01", AuditEntry.Outcome.SUCCEEDED, "t" + i);
        }
        audit.record("policy:nightly", "restore-point.delete", "web01/20261127T070102.123Z", AuditEntry.Outcome.FAILED, "in use");
        audit.record("admin", "vm.start", "db01", AuditEntry.Outcome.DENIED, null);

        AuditLog.Page first = audit.page(new AuditLog.Query(3, null, null, null, null, null, null));
        assertThat(first.entries()).extracting(AuditEntry::action).containsExactly("vm.start", "restore-point.delete", "vm.tags");
        AuditLog.Page second = audit.page(new AuditLog.Query(3, first.next(), null, null, null, null, null));
        AuditLog.Page third = audit.page(new AuditLog.Query(3, second.next(), null, null, null, null, null));
        assertThat(third.next()).isNull();
        List<Long> ids = new java.util.ArrayList<>();
        for (AuditLog.Page p : List.of(first, second, third)) {
            p.entries().forEach(e -> ids.add(e.id()));
        }
        assertThat(ids).hasSize(7).doesNotHaveDuplicates().isSortedAccordingTo((a, b) -> Long.compare(b, a));

        assertThat(audit.page(new AuditLog.Query(50, null, "policy:nightly", null, null, null, null)).entries())
                .singleElement().satisfies(e -> assertThat(e.detail()).isEqualTo("in use"));
        assertThat(audit.page(new AuditLog.Query(50, null, null, "vm.", null, null, null)).entries()).hasSize(6);
        assertThat(audit.page(new AuditLog.Query(50, null, null, "vm.start", null, null, null)).entries()).hasSize(1);
        assertThat(audit.page(new AuditLog.Query(50, null, null, "vm", null, null, null)).entries()).isEmpty();
        assertThat(audit.page(new AuditLog.Query(50, null, null, null, "web01", null, null)).entries()).hasSize(5);
        assertThat(audit.page(new AuditLog.Query(50, null, null, null, null, AuditEntry.Outcome.DENIED, null)).entries())
                .extracting(AuditEntry::target).containsExactly("db01");
        assertThat(audit.page(new AuditLog.Query(50, null, null, null, null, null, start)).entries()).hasSize(7);
        assertThat(audit.page(new AuditLog.Query(50, null, null, null, null, null, start.plusSeconds(60))).entries()).isEmpty();
    }
}
