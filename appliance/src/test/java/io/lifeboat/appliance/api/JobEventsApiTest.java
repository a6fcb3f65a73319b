package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.lifeboat.appliance.inventory.TestVms;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@code GET /api/jobs/events}: a backup's progress pushed as server-sent events, behind HTTP Basic. */
class JobEventsApiTest extends LibvirtAppliance {

    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @Test
    void aBackupIsStreamedFromItsFirstBytesToItsFinalState() throws Exception {
        // 16 MiB at the read limit of 4 MiB/s: about 4 s of reading, several progress copies.
        String vm = defineVm("events", 16 * TestVms.MIB, 0x5e); // a pattern no other test stores: its backup must add new bytes
        try (EventStream stream = EventStream.open(port, "admin", ADMIN_PASSWORD, "/api/jobs/events")) {
            assertThat(stream.status).isEqualTo(200);
            assertThat(stream.contentType).startsWith("text/event-stream");
            EventStream.Event snapshot = stream.next(Duration.ofSeconds(10));
            assertThat(snapshot.name()).isEqualTo("snapshot");
            assertThat(snapshot.data().isArray()).isTrue();

            ApiClient.Reply started = admin().post("/api/vms/" + vm + "/backups");
            assertThat(started.status()).isEqualTo(202);
            String jobId = started.body().path("jobId").asString();
            EventStream followed = EventStream.open(port, "admin", ADMIN_PASSWORD, "/api/jobs/events?job=" + jobId);

            List<EventStream.Event> mine = new ArrayList<>();
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (mine.isEmpty() || !isFinal(mine.get(mine.size() - 1).data())) {
                EventStream.Event e = stream.next(Duration.ofNanos(deadline - System.nanoTime()));
                assertThat(e.name()).isEqualTo("job");
                if (e.data().path("id").asString().equals(jobId)) {
                    mine.add(e);
                }
            }

            JsonNode last = mine.get(mine.size() - 1).data();
            assertThat(last.path("state").asString()).as(last.toString()).isEqualTo("SUCCEEDED");
            assertThat(last.path("bytesTotal").asLong()).isPositive();
            assertThat(last.path("bytesDone").asLong()).isEqualTo(last.path("bytesTotal").asLong());
            assertThat(last.path("summary").path("readBytes").asLong()).isGreaterThanOrEqualTo(16 * TestVms.MIB);
            assertThat(last.path("summary").path("newBytes").asLong()).isPositive();
            assertThat(last.path("summary").path("storedBytes").asLong()).isPositive();
            assertThat(last.path("summary").path("durationMillis").asLong()).isPositive();
            assertThat(last).as("the event is the job as GET /api/jobs/{id} shows it")
                    .isEqualTo(admin().get("/api/jobs/" + jobId).body());

            List<Long> reading = mine.stream().map(EventStream.Event::data)
                    .filter(j -> j.path("state").asString().equals("RUNNING") && j.path("phase").asString().startsWith("backup"))
                    .map(j -> j.path("bytesDone").asLong()).toList();
            assertThat(reading).as("bytes done while reading").hasSizeGreaterThanOrEqualTo(3);
            for (int i = 1; i < reading.size(); i++) {
                assertThat(reading.get(i)).as("bytes done while reading: " + reading).isGreaterThan(reading.get(i - 1));
            }
            double seconds = (mine.get(mine.size() - 1).receivedNanos() - mine.get(0).receivedNanos()) / 1e9;
            assertThat(mine.size()).as("at most about 4 events a second").isLessThanOrEqualTo((int) (seconds * 4) + 3);

            // A stream following the job sees the same end, and then the server ends it.
            EventStream.Event followedLast = followed.next(Duration.ofSeconds(10));
            while (!isFinal(followedLast.data())) {
                followedLast = followed.next(Duration.ofSeconds(10));
            }
            assertThat(followedLast.data()).isEqualTo(last);
            assertThat(followed.ended(Duration.ofSeconds(10))).as("a followed job's stream ends with it").isTrue();
            followed.close();

            // The stored job keeps its bytes and summary.
            JsonNode shown = admin().get("/api/jobs/" + jobId).body();
            assertThat(shown.path("bytesDone").asLong()).isEqualTo(last.path("bytesDone").asLong());
            JsonNode point = admin().get("/api/restore-points/" + shown.path("restorePoint").asString()).body();
            assertThat(shown.path("summary").path("newBytes").asLong()).isEqualTo(point.path("newBytes").asLong());
            assertThat(shown.path("summary").path("storedBytes").asLong()).isEqualTo(point.path("storedBytes").asLong());
        }
    }

    @Test
    void followingOneJobStartsWithItAcceptsItsShortIdAndEndsWithIt() throws Exception {
        String vm = defineVm("follow", TestVms.MIB, 0x5f);
        String jobId = admin().post("/api/vms/" + vm + "/backups").body().path("jobId").asString();
        JsonNode done = awaitJob(jobId, DEADLINE);

        try (EventStream stream = EventStream.open(port, "admin", ADMIN_PASSWORD,
                "/api/jobs/events?job=" + jobId.substring(0, 8))) {
            assertThat(stream.status).isEqualTo(200);
            EventStream.Event snapshot = stream.next(Duration.ofSeconds(10));
            assertThat(snapshot.name()).isEqualTo("snapshot");
            assertThat(snapshot.data().size()).isEqualTo(1);
            assertThat(snapshot.data().get(0)).isEqualTo(done);
            assertThat(done.path("summary").isObject()).isTrue();
            assertThat(stream.ended(Duration.ofSeconds(10))).as("the stream of a finished job ends").isTrue();
        }
        // The server's end of the stream is an async dispatch through the security filters: the
        // next request of the same user still works, and the stream ended without an error event.
        assertThat(admin().get("/api/jobs/" + jobId).status()).isEqualTo(200);
    }

    @Test
    void theStreamNeedsAUserAndAKnownJob() throws Exception {
        try (EventStream anonymous = EventStream.open(port, null, null, "/api/jobs/events")) {
            assertThat(anonymous.status).isEqualTo(401);
        }
        try (EventStream wrong = EventStream.open(port, "admin", "wrong", "/api/jobs/events")) {
            assertThat(wrong.status).isEqualTo(401);
        }
        try (EventStream unknown = EventStream.open(port, "admin", ADMIN_PASSWORD,
                "/api/jobs/events?job=00000000-0000-0000-0000-000000000000")) {
            assertThat(unknown.status).isEqualTo(404);
        }
        try (EventStream malformed = EventStream.open(port, "admin", ADMIN_PASSWORD, "/api/jobs/events?job=xyz")) {
            assertThat(malformed.status).isEqualTo(400);
        }
    }

    private static boolean isFinal(JsonNode job) {
        return List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(job.path("state").asString());
    }
}
