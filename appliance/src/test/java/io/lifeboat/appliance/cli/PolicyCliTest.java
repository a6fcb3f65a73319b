package io.lifeboat.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.appliance.api.CatalogedBackups;
import io.lifeboat.appliance.catalog.RestorePointRepository;
import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.cli.ExitCode;
import io.lifeboat.store.manifest.RestorePointId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The policy verbs against the real appliance (its Quartz scheduler and catalog): a policy made
 * from a file, listed with its next fire time, run, paused and resumed, its retention previewed on
 * real restore points; bad files change nothing.
 */
class PolicyCliTest extends CliHarness {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Autowired
    ChunkStore chunkStore;

    @Autowired
    RestorePointRepository catalog;

    @TempDir
    Path dir;

    /** Unique names: the appliance, and so its catalog, is shared with the other test classes. */
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);

    private Path file(String name, String json) throws Exception {
        return Files.writeString(dir.resolve(name), json, StandardCharsets.UTF_8);
    }

    private static String policy(String name, String vm, String cron) {
        return "{\"name\": \"" + name + "\", \"selection\": {\"names\": [\"" + vm + "\"]}, \"cron\": \"" + cron + "\","
                + " \"timeZone\": \"Europe/Berlin\", \"retention\": {\"keep-last\": 1}}";
    }

    @Test
    void createListShowRunPauseResumePreviewAndDelete() throws Exception {
        String name = "cli-nightly-" + suffix;
        String vm = "clipol-" + suffix;
        RestorePointId older = CatalogedBackups.backUp(chunkStore, catalog, dir, vm);
        RestorePointId newer = CatalogedBackups.backUp(chunkStore, catalog, dir, vm);

        Run create = lifeboat("policy", "create", file("nightly.json", policy(name, vm, "0 30 1 * * ?")).toString());
        assertThat(create.exitCode()).as(create.err()).isZero();
        assertThat(create.out()).startsWith("created policy " + name + " (next backup: 20");
        assertThat(create.err()).contains("lifeboat: warning: ").contains("matches no VM");

        Run list = lifeboat("policies");
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).startsWith("NAME").contains("NEXT BACKUP", "LAST RUN");
        assertThat(row(list.out(), name)).contains(" no ", vm, "0 30 1 * * ? (Europe/Berlin)", "never")
                .containsPattern("20\\d\\d-\\d\\d-\\d\\dT01:30");
        JsonNode listed = policyIn(lifeboat("policies", "--json").json(), name);
        assertThat(listed.path("nextFireTimes").path("backup")).hasSize(5);

        Run show = lifeboat("policy", "show", name);
        assertThat(show.exitCode()).isZero();
        assertThat(show.out()).contains("name:", name, "schedule:", "0 30 1 * * ? (Europe/Berlin)", "retention:", "keep-last=1", "misfire:",
                "RUN_ONCE_IF_IN_WINDOW", "selection:", vm, "SCHEDULE", "backup", "no runs yet");
        JsonNode shown = lifeboat("policy", "show", name, "--json").json();
        assertThat(shown.path("definition").path("retention").path("keep-last").asInt()).isEqualTo(1);
        assertThat(shown.path("paused").asBoolean()).isFalse();

        // run now: the VM is not defined on the libvirt host, so the run ends NO_VMS and prunes nothing
        Run runNow = lifeboat("policy", "run", name);
        assertThat(runNow.exitCode()).as(runNow.err()).isZero();
        assertThat(runNow.out()).contains("asked the appliance to run the backup of policy " + name);
        assertThat(lifeboat("policy", "run", name, "--kind", "sometimes").exitCode()).isEqualTo(ExitCode.USAGE);
        JsonNode run = awaitRun(name);
        assertThat(run.path("cause").asText()).isEqualTo("RUN_NOW");
        assertThat(row(lifeboat("policy", "show", name).out(), "RUN_NOW")).contains("BACKUP", "NO_VMS", "matches no VM");
        assertThat(row(lifeboat("policies").out(), name)).contains("NO_VMS backup 20");

        Run pause = lifeboat("policy", "pause", name);
        assertThat(pause.exitCode()).isZero();
        assertThat(pause.out().strip()).isEqualTo("paused policy " + name);
        JsonNode paused = lifeboat("policy", "show", name, "--json").json();
        assertThat(paused.path("paused").asBoolean()).isTrue();
        assertThat(paused.path("nextFireTimes").path("backup")).isEmpty();
        assertThat(row(lifeboat("policies").out(), name)).contains(" yes ", " paused ");

        Run resume = lifeboat("policy", "resume", name);
        assertThat(resume.exitCode()).isZero();
        assertThat(resume.out()).startsWith("resumed policy " + name + " (next backup: 20");
        assertThat(lifeboat("policy", "show", name, "--json").json().path("paused").asBoolean()).isFalse();

        Run preview = lifeboat("policy", "prune-preview", name);
        assertThat(preview.exitCode()).as(preview.err()).isZero();
        assertThat(preview.out()).startsWith("RESTORE POINT").contains("KEEP/REMOVE", "RULE");
        assertThat(row(preview.out(), newer.toString())).contains("keep", "keep-last");
        assertThat(row(preview.out(), older.toString())).contains("remove");
        JsonNode previewed = lifeboat("policy", "prune-preview", name, "--json").json();
        assertThat(previewed.findValuesAsText("restorePoint")).containsExactly(newer.toString(), older.toString());
        assertThat(lifeboat("restore-point", "show", older.toString(), "--json").json().path("status").asText())
                .as("a preview removes nothing").isEqualTo("AVAILABLE");

        // update from stdin
        Run update = withStdin(policy("ignored", vm, "0 0 3 * * ?"), () -> lifeboat("policy", "update", name, "-"));
        assertThat(update.exitCode()).as(update.err()).isZero();
        assertThat(update.out()).startsWith("updated policy " + name);
        assertThat(lifeboat("policy", "show", name, "--json").json().path("definition").path("cron").asText())
                .isEqualTo("0 0 3 * * ?");

        Run delete = lifeboat("policy", "delete", name);
        assertThat(delete.exitCode()).isZero();
        assertThat(delete.out().strip()).isEqualTo("deleted policy " + name);
        assertThat(lifeboat("policy", "show", name).exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        Run again = lifeboat("policy", "delete", name);
        assertThat(again.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(again.err()).startsWith("lifeboat: ").contains(name);
        assertThat(lifeboat("policies").out()).doesNotContain(name);
    }

    @Test
    void badPolicyFileListsEveryViolationAndSavesNothing() throws Exception {
        String name = "cli-bad-" + suffix;
        Path bad = file("bad.json", "{\"name\": \"" + name + "\", \"selection\": {\"names\": [\"x\"]},"
                + " \"cron\": \"0 0 2 * * ?\", \"timeZone\": \"Mars/Olympus_Mons\","
                + " \"window\": {\"start\": \"22:00\", \"end\": \"02:00\"}, \"retention\": {\"keep-daily\": -1}}");

        Run create = lifeboat("policy", "create", bad.toString());

        assertThat(create.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(create.out()).isEmpty();
        assertThat(create.err().lines()).first().isEqualTo("lifeboat: the policy is invalid");
        assertThat(create.err().lines()).contains(
                "  timeZone: unknown time zone 'Mars/Olympus_Mons': use a region such as Europe/Berlin, or UTC",
                "  window: window end 02:00 is before its start 22:00; a window must end on the day it starts",
                "  retention.keep-daily: keep-daily must be 0 or more, was -1");
        assertThat(lifeboat("policy", "show", name).exitCode()).isEqualTo(ExitCode.NOT_FOUND);

        // an update with a bad file leaves the policy as it was
        String good = "cli-good-" + suffix;
        assertThat(lifeboat("policy", "create", file("good.json", policy(good, "x", "0 0 2 * * ?")).toString())
                .exitCode()).isZero();
        Run update = lifeboat("policy", "update", good, bad.toString());
        assertThat(update.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(update.err()).contains("  timeZone: unknown time zone 'Mars/Olympus_Mons'");
        assertThat(lifeboat("policy", "show", good, "--json").json().path("definition").path("timeZone").asText())
                .isEqualTo("Europe/Berlin");

        Run notJson = lifeboat("policy", "create", file("broken.json", "{\"name\": \"x\",").toString());
        assertThat(notJson.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(notJson.err()).startsWith("lifeboat: ").contains("broken.json is not valid JSON");
        Run array = lifeboat("policy", "create", file("array.json", "[1, 2]").toString());
        assertThat(array.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(array.err()).contains("holds no policy");
        Run missing = lifeboat("policy", "create", dir.resolve("nosuch.json").toString());
        assertThat(missing.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(missing.err().strip()).isEqualTo("lifeboat: no such file: " + dir.resolve("nosuch.json"));

        assertThat(lifeboat("policy", "delete", good).exitCode()).isZero();
        assertThat(lifeboat("policies", "--json").json().findValuesAsText("name")).doesNotContain(name, good);
    }

    /** The policy's newest run once it has ended, polled through the CLI. */
    private JsonNode awaitRun(String name) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode runs = lifeboat("policy", "show", name, "--json").json().path("recentRuns");
            if (!runs.isEmpty() && runs.get(0).hasNonNull("ended")) {
                assertThat(runs.get(0).path("outcome").asText()).isEqualTo("NO_VMS");
                return runs.get(0);
            }
            Thread.sleep(100); // polling the policy's runs, as a user would
        }
        throw new AssertionError("no run of policy " + name + " ended within " + DEADLINE);
    }

    private static JsonNode policyIn(JsonNode policies, String name) {
        for (JsonNode p : policies) {
            if (p.path("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("policy " + name + " not in " + policies);
    }

    /** The line of a table that names {@code key}. */
    private static String row(String table, String key) {
        return table.lines().filter(l -> l.contains(key)).findFirst()
                .orElseThrow(() -> new AssertionError(key + " not in\n" + table));
    }

    private static Run withStdin(String text, java.util.function.Supplier<Run> run) {
        InputStream in = System.in;
        try {
            System.setIn(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
            return run.get();
        } finally {
            System.setIn(in);
        }
    }
}
