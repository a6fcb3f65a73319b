package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.catalog.JobRepository;
import io.lifeboat.store.Progress;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

class JobApiTest extends RunningAppliance {

    @Autowired
    JobRepository jobs;

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
    void badParametersAre400() throws Exception {
        assertThat(admin().get("/api/jobs?state=SLEEPING").status()).isEqualTo(400);
        ApiClient.Reply limit = admin().get("/api/jobs?limit=0");
        assertThat(limit.status()).isEqualTo(400);
        assertThat(limit.contentType()).startsWith("application/problem+json");
    }
}
