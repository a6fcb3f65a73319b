package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.catalog.JobRepository;
import io.lifeboat.store.Progress;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

class JobApiTest extends RunningAppliance {

    @Autowired
    JobRepository jobs;

    @Autowired
    JdbcClient jdbc;

    @Test
    void runningJobShowsItsProgress() throws Exception {
        Job job = jobs.create(Job.Kind.BACKUP, "web01");
        jobs.start(job.id());
        Progress progress = new Progress();
        progress.phase("backup vda", 1000);
        progress.add(250);
        jobs.progress(job.id(), progress.snapshot());

        ApiClient.Reply reply = admin().get("/api/jobs/" + job.id());

        assertThat(reply.status()).isEqualTo(200);
        JsonNode j = reply.body();
        assertThat(j.path("id").asString()).isEqualTo(job.id().toString());
        assertThat(j.path("kind").asString()).isEqualTo("BACKUP");
        assertThat(j.path("vm").asString()).isEqualTo("web01");
        assertThat(j.path("state").asString()).isEqualTo("RUNNING");
        assertThat(j.path("phase").asString()).isEqualTo("backup vda");
        assertThat(j.path("bytesDone").asLong()).isEqualTo(250);
        assertThat(j.path("bytesTotal").asLong()).isEqualTo(1000);
        assertThat(j.path("started").asString()).isNotBlank();
        assertThat(j.path("ended").isNull()).isTrue();
    }

    @Test
    void aJobsLogHasALineForEachStateAndNewPhaseButNotForMoreBytes() throws Exception {
        Job job = jobs.create(Job.Kind.BACKUP, "db01");
        jobs.start(job.id());
        Progress progress = new Progress();
        progress.phase("backup vda", 1000);
        jobs.progress(job.id(), progress.snapshot());
        progress.add(400);
        jobs.progress(job.id(), progress.snapshot());
        progress.phase("backup vdb", 500);
        jobs.progress(job.id(), progress.snapshot());
        jobs.finish(job.id(), Job.State.FAILED, "vdb: read error at 4096");
        jobs.finish(job.id(), Job.State.CANCELLED, "too late");

        ApiClient.Reply reply = admin().get("/api/jobs/" + job.id().toString().substring(0, 10) + "/log");

        assertThat(reply.status()).isEqualTo(200);
        List<String> lines = new ArrayList<>();
        reply.body().forEach(l -> lines.add(l.path("event").asString()
                + (l.path("detail").isNull() ? "" : " " + l.path("detail").asString())));
        assertThat(lines).containsExactly("QUEUED", "RUNNING", "PHASE backup vda", "PHASE backup vdb",
                "FAILED vdb: read error at 4096");
        assertThat(reply.body().get(0).path("time").asString()).isNotBlank();
        assertThat(admin().get("/api/jobs/" + UUID.randomUUID() + "/log").status()).isEqualTo(404);
        assertThat(admin().get("/api/jobs/nothex/log").status()).isEqualTo(400);
    }

    @Test
    void listFiltersByKindAndVm() throws Exception {
        String vm = "filter-" + UUID.randomUUID().toString().substring(0, 8);
        Job backup = jobs.create(Job.Kind.BACKUP, vm);
        Job restore = jobs.create(Job.Kind.RESTORE, vm);
        Job other = jobs.create(Job.Kind.BACKUP, vm + "-other");

        ApiClient.Reply ofVm = admin().get("/api/jobs?vm=" + vm);
        ApiClient.Reply backupsOfVm = admin().get("/api/jobs?kind=BACKUP&vm=" + vm);

        assertThat(ofVm.body().findValuesAsString("id"))
                .containsExactlyInAnyOrder(backup.id().toString(), restore.id().toString());
        assertThat(backupsOfVm.body().findValuesAsString("id")).containsExactly(backup.id().toString());
        assertThat(ofVm.body().findValuesAsString("id")).doesNotContain(other.id().toString());
        assertThat(admin().get("/api/jobs?kind=NOPE").status()).isEqualTo(400);
    }

    @Test
    void listFiltersByState() throws Exception {
        Job failed = jobs.create(Job.Kind.VERIFY, null);
        jobs.finish(failed.id(), Job.State.FAILED, "chunk 12 is corrupt");

        ApiClient.Reply all = admin().get("/api/jobs");
        ApiClient.Reply onlyFailed = admin().get("/api/jobs?state=FAILED");

        assertThat(all.status()).isEqualTo(200);
        assertThat(all.body().findValuesAsString("id")).contains(failed.id().toString());
        assertThat(onlyFailed.body().findValuesAsString("state")).containsOnly("FAILED");
        assertThat(onlyFailed.body().findValuesAsString("error")).contains("chunk 12 is corrupt");
    }

    @Test
    void unknownJobIs404AndMalformedIdIs400() throws Exception {
        ApiClient.Reply unknown = admin().get("/api/jobs/00000000-0000-0000-0000-000000000000");
        ApiClient.Reply malformed = admin().get("/api/jobs/not-a-uuid");

        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.contentType()).startsWith("application/problem+json");
        assertThat(malformed.body().path("status").asInt()).isEqualTo(400);
    }

    @Test
    void aJobIsFoundByAUniquePrefixOfItsId() throws Exception {
        UUID one = UUID.fromString("feedface-0000-4000-8000-" + suffix());
        UUID other = UUID.fromString("feedface-1111-4000-8000-" + suffix());
        insert(one);
        insert(other);

        ApiClient.Reply byPrefix = admin().get("/api/jobs/" + one.toString().substring(0, 10));
        ApiClient.Reply withoutDashes = admin().get("/api/jobs/feedface1111");
        ApiClient.Reply upperCase = admin().get("/api/jobs/" + other.toString().toUpperCase());
        ApiClient.Reply ambiguous = admin().get("/api/jobs/FEEDFACE");
        ApiClient.Reply unknown = admin().get("/api/jobs/feedfacf");
        ApiClient.Reply tooShort = admin().get("/api/jobs/feedfac");
        ApiClient.Reply notHex = admin().get("/api/jobs/feedfacx");

        assertThat(byPrefix.status()).isEqualTo(200);
        assertThat(byPrefix.body().path("id").asString()).isEqualTo(one.toString());
        assertThat(withoutDashes.body().path("id").asString()).isEqualTo(other.toString());
        assertThat(upperCase.body().path("id").asString()).isEqualTo(other.toString());
        assertThat(ambiguous.status()).isEqualTo(409);
        assertThat(ambiguous.contentType()).startsWith("application/problem+json");
        assertThat(ambiguous.body().path("detail").asString()).contains(one.toString(), other.toString());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(tooShort.status()).isEqualTo(400);
        assertThat(tooShort.contentType()).startsWith("application/problem+json");
        assertThat(notHex.status()).isEqualTo(400);

        assertThat(admin().post("/api/jobs/feedface/cancel").status()).isEqualTo(409);
        assertThat(admin().post("/api/jobs/feedfacf/cancel").status()).isEqualTo(404);
        assertThat(admin().post("/api/jobs/xyz/cancel").status()).isEqualTo(400);
        ApiClient.Reply cancelled = admin().post("/api/jobs/" + one.toString().substring(0, 13) + "/cancel");
        assertThat(cancelled.status()).as("a queued verify job is not this appliance's to cancel").isEqualTo(409);
        assertThat(cancelled.body().path("detail").asString()).contains(one.toString());
        assertThat(admin().get("/api/jobs/feedface/restore").status()).isEqualTo(409);
        assertThat(admin().get("/api/jobs/feedfacf/restore").status()).isEqualTo(404);
        assertThat(admin().get("/api/jobs/xyz/restore").status()).isEqualTo(400);
        assertThat(admin().get("/api/jobs/" + one.toString().substring(0, 8 + 1 + 4) + "/restore").status())
                .as("not a restore job").isEqualTo(404);
        assertThat(jobs.find(one).orElseThrow().state()).isEqualTo(Job.State.QUEUED);
    }

    /** A job row with a chosen id, as another appliance's or an old one would be. */
    private void insert(UUID id) {
        jdbc.sql("INSERT INTO jobs (id, kind, vm, state, bytes_done, bytes_total, created_at)"
                        + " VALUES (?, 'VERIFY', NULL, 'QUEUED', 0, 0, CURRENT_TIMESTAMP)")
                .params(id.toString())
                .update();
    }

    private static String suffix() {
        return String.format("%012x", new Random().nextLong() & 0xffffffffffffL);
    }

    @Test
    void badParametersAre400() throws Exception {
        assertThat(admin().get("/api/jobs?state=SLEEPING").status()).isEqualTo(400);
        ApiClient.Reply limit = admin().get("/api/jobs?limit=0");
        assertThat(limit.status()).isEqualTo(400);
        assertThat(limit.contentType()).startsWith("application/problem+json");
    }
}
