package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class StoreApiTest extends RunningAppliance {

    @Test
    void verifyRunsAsAJobWithItsProgress() throws Exception {
        ApiClient.Reply started = admin().post("/api/store/verify");

        assertThat(started.status()).isEqualTo(202);
        String id = started.body().path("jobId").asString();
        assertThat(started.location()).isEqualTo("/api/jobs/" + id);
        JsonNode job = ended(id);
        assertThat(job.path("kind").asString()).isEqualTo("VERIFY");
        assertThat(job.path("vm").isNull()).isTrue();
        assertThat(job.path("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(job.path("phase").asString()).isEqualTo("verify restore points");
        assertThat(job.path("started").asString()).isNotBlank();
    }

    @Test
    void gcRunsAsAJobWithItsProgress() throws Exception {
        ApiClient.Reply started = admin().post("/api/store/gc?repackBelow=0.3");

        assertThat(started.status()).isEqualTo(202);
        JsonNode job = ended(started.body().path("jobId").asString());
        assertThat(job.path("kind").asString()).isEqualTo("GC");
        assertThat(job.path("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(job.path("phase").asString()).isEqualTo("gc packs");
    }

    @Test
    void aRepackThresholdOutsideZeroToOneIs400() throws Exception {
        ApiClient.Reply reply = admin().post("/api/store/gc?repackBelow=1.5");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.body().path("detail").asString()).contains("repackBelow must be between 0 and 1");
    }

    @Test
    void storeJobsCannotBeCancelled() throws Exception {
        String id = admin().post("/api/store/verify").body().path("jobId").asString();
        ended(id);

        assertThat(admin().post("/api/jobs/" + id + "/cancel").status()).isEqualTo(409);
    }

    private JsonNode ended(String id) throws Exception {
        return ended(admin(), id);
    }

    /** Polls a store job until it has ended; fails after 30 s. */
    static JsonNode ended(ApiClient api, String id) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            JsonNode job = api.get("/api/jobs/" + id).body();
            String state = job.path("state").asString();
            if (!state.equals("QUEUED") && !state.equals("RUNNING")) {
                return job;
            }
            assertThat(Instant.now()).as("job " + id + " still " + state).isBefore(deadline);
            Thread.sleep(100);
        }
    }
}
