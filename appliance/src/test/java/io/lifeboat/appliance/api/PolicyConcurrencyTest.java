package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.lifeboat.appliance.inventory.TestVms;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The appliance's backup limit is shared by every policy: with {@code lifeboat.backup.max-concurrent=1},
 * three policies run at once (each allowing 2 backups of its own) back their VMs up one after another,
 * and a VM waiting for a slot does not use up a try. Reads are limited to 4 MiB/s
 * ({@link LibvirtAppliance}), so each backup of 8 MiB lasts about 2 s and unlimited runs would overlap.
 */
class PolicyConcurrencyTest extends LibvirtAppliance {

    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @DynamicPropertySource
    static void oneBackupAtATime(DynamicPropertyRegistry registry) {
        registry.add("lifeboat.backup.max-concurrent", () -> 1);
    }

    private record Interval(String vm, Instant started, Instant ended) {
    }

    @Test
    void policiesRunTogetherShareTheAppliancesBackupSlots() throws Exception {
        List<String> vmNames = new ArrayList<>();
        for (String role : List.of("slota", "slotb", "slotc")) {
            String vm = defineVm(role, 8 * TestVms.MIB);
            vmNames.add(vm);
            // retries 0: a VM that counted a wait for a slot as a try would fail its run
            ApiClient.Reply created = admin().post("/api/policies", JSON, "{\"name\": \"" + role + "\", \"selection\":"
                    + " {\"names\": [\"" + vm + "\"]}, \"cron\": \"0 0 3 * * ?\", \"timeZone\": \"UTC\","
                    + " \"maxConcurrentPerHost\": 2, \"maxConcurrentTotal\": 2, \"retries\": {\"count\": 0, \"backoff\": \"PT1S\"}}");
            assertThat(created.status()).as(created.text()).isEqualTo(201);
        }
        for (String role : List.of("slota", "slotb", "slotc")) {
            assertThat(admin().post("/api/policies/" + role + "/run").status()).isEqualTo(202);
        }

        List<Interval> backups = new ArrayList<>();
        for (String role : List.of("slota", "slotb", "slotc")) {
            JsonNode run = awaitFinishedBackupRun(role);
            assertThat(run.path("outcome").asString()).as(run.toPrettyString()).isEqualTo("SUCCEEDED");
            assertThat(run.path("jobIds")).hasSize(1);
            JsonNode job = admin().get("/api/jobs/" + run.path("jobIds").get(0).asString()).body();
            assertThat(job.path("state").asString()).isEqualTo("SUCCEEDED");
            backups.add(new Interval(job.path("vm").asString(), Instant.parse(job.path("started").asString()),
                    Instant.parse(job.path("ended").asString())));
        }
        assertThat(backups).extracting(Interval::vm).containsExactlyInAnyOrderElementsOf(vmNames);
        backups.sort(Comparator.comparing(Interval::started));
        for (int i = 1; i < backups.size(); i++) {
            assertThat(backups.get(i).started()).as("backups one at a time: %s", backups)
                    .isAfterOrEqualTo(backups.get(i - 1).ended());
        }
    }

    private JsonNode awaitFinishedBackupRun(String policy) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            JsonNode p = admin().get("/api/policies/" + policy).body();
            for (JsonNode r : p.path("recentRuns")) {
                String outcome = r.path("outcome").asString();
                if (r.path("kind").asString().equals("BACKUP") && !outcome.equals("RUNNING")
                        && !outcome.equals("MISFIRE_PENDING")) {
                    return r;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("a finished backup run of " + policy + " not seen within "
                        + DEADLINE.toSeconds() + " s: " + p.toPrettyString());
            }
            Thread.sleep(200);
        }
    }
}
