package io.lifeboat.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.catalog.JobRepository;
import io.lifeboat.appliance.api.CatalogedBackups;
import io.lifeboat.appliance.catalog.RestorePointRepository;
import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.cli.ExitCode;
import io.lifeboat.store.Progress;
import io.lifeboat.store.manifest.RestorePointId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

/** The CLI against the real appliance: options, exit codes, restore points and jobs. */
class LifeboatCliTest extends CliHarness {

    static final List<String> VERBS = List.of("", "vms", "vm", "vm show", "vm define", "vm start", "vm shutdown",
            "vm force-off", "vm delete", "vm tags", "snapshot", "snapshot list", "snapshot create", "snapshot revert",
            "snapshot delete", "clone", "backup", "job", "job show", "job cancel", "jobs", "restore-points",
            "restore-point", "restore-point show", "restore-point delete", "replication", "replication run",
            "replication test", "policies", "policy", "policy show", "policy create", "policy update", "policy delete",
            "policy pause", "policy resume", "policy run", "policy prune-preview");

    @Autowired
    ChunkStore chunkStore;

    @Autowired
    RestorePointRepository catalog;

    @Autowired
    JobRepository jobs;

    @TempDir
    Path dir;

    @Test
    void everyVerbHasHelpWithTheExitCodes() {
        for (String verb : VERBS) {
            List<String> args = new java.util.ArrayList<>(verb.isEmpty() ? List.of() : List.of(verb.split(" ")));
            args.add("--help");
            Run run = bare(args.toArray(String[]::new));
            assertThat(run.exitCode()).as(verb).isZero();
            assertThat(run.out()).as(verb).startsWith("Usage: lifeboat " + verb)
                    .contains("--json", "Exit codes:", "130", "appliance is unreachable");
        }
    }

    @Test
    void unknownOptionOrMissingArgumentIsUsage() {
        Run unknown = lifeboat("jobs", "--bogus");
        assertThat(unknown.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(unknown.err()).contains("lifeboat: Unknown option: '--bogus'").contains("lifeboat jobs --help");
        assertThat(lifeboat("restore-point", "show").exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(lifeboat("vm").exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(bare("--url", "ftp://x", "jobs").exitCode()).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void wrongPasswordIsNotAuthenticated() {
        Run run = bare("--url", "http://localhost:" + port, "--password", "wrong", "jobs");

        assertThat(run.exitCode()).isEqualTo(ExitCode.NOT_AUTHENTICATED);
        assertThat(run.err().strip()).isEqualTo("lifeboat: the appliance refused user 'admin': wrong user or password");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void applianceNotListeningIsUnreachable() throws IOException {
        int free;
        try (ServerSocket s = new ServerSocket(0)) {
            free = s.getLocalPort();
        }

        Run run = bare("--url", "http://localhost:" + free, "--password", "x", "restore-points");

        assertThat(run.exitCode()).isEqualTo(ExitCode.UNREACHABLE);
        assertThat(run.err()).startsWith("lifeboat: cannot reach the appliance at http://localhost:" + free);
        assertThat(run.err()).doesNotContain("Exception\n\tat ");
    }

    @Test
    void restorePointsListShowAndDelete() throws Exception {
        String id = backUp("cli01").toString();

        Run list = lifeboat("restore-points", "--vm", "cli01");
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).startsWith("RESTORE POINT").contains(id, "FULL", "OFFLINE", "4.0 MiB", "AVAILABLE");
        JsonNode listed = lifeboat("restore-points", "--json").json();
        assertThat(listed.findValuesAsText("id")).contains(id);

        Run show = lifeboat("restore-point", "show", id);
        assertThat(show.exitCode()).isZero();
        assertThat(show.out()).contains("id:", id, "checkpoint:", "cp1", "status:", "AVAILABLE", "vda");
        JsonNode shown = lifeboat("restore-point", "show", id, "--json").json();
        assertThat(shown.path("vm").asText()).isEqualTo("cli01");
        assertThat(shown.path("logicalBytes").asLong()).isEqualTo(4L << 20);

        Run delete = lifeboat("restore-point", "delete", id);
        assertThat(delete.exitCode()).isZero();
        assertThat(delete.out().strip()).isEqualTo("deleted " + id);
        assertThat(lifeboat("restore-points", "--vm", "cli01").out().strip()).isEqualTo("no restore points");
        assertThat(lifeboat("restore-point", "show", id, "--json").json().path("status").asText()).isEqualTo("DELETED");

        Run again = lifeboat("restore-point", "delete", id);
        assertThat(again.exitCode()).isEqualTo(ExitCode.CONFLICT);
        assertThat(again.err()).startsWith("lifeboat: ");
    }

    @Test
    void unknownOrMalformedRestorePoint() {
        Run unknown = lifeboat("restore-point", "show", "nosuchvm/20260101T000000.000Z");
        assertThat(unknown.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(unknown.err().strip()).isEqualTo("lifeboat: no restore point nosuchvm/20260101T000000.000Z");

        assertThat(lifeboat("restore-point", "delete", "nosuchvm/20260101T000000.000Z").exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        Run badTime = lifeboat("restore-point", "show", "web01/yesterday");
        assertThat(badTime.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(badTime.err()).contains("bad time 'yesterday'");
        assertThat(lifeboat("restore-point", "show", "no-slash").exitCode()).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void jobsAndOneJob() throws Exception {
        Job job = jobs.create(Job.Kind.BACKUP, "cli02");
        jobs.start(job.id());
        Progress progress = new Progress();
        progress.phase("backup vda", 4L << 20);
        progress.add(1L << 20);
        jobs.progress(job.id(), progress.snapshot());

        Run show = lifeboat("job", "show", job.id().toString());
        assertThat(show.exitCode()).isZero();
        assertThat(show.out()).contains("state:", "RUNNING", "phase:", "backup vda", "1.0 MiB", "4.0 MiB");
        JsonNode shown = lifeboat("job", "show", job.id().toString(), "--json").json();
        assertThat(shown.path("bytesDone").asLong()).isEqualTo(1L << 20);

        Run list = lifeboat("jobs", "--state", "RUNNING");
        assertThat(list.out()).startsWith("ID").contains(job.id().toString(), "cli02", "1.0 MiB / 4.0 MiB");
        assertThat(lifeboat("jobs", "--json", "--limit", "1000").json().findValuesAsText("id")).contains(job.id().toString());
        assertThat(lifeboat("jobs", "--limit", "0").exitCode()).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void unknownJobIsNotFound() {
        Run run = lifeboat("job", "show", "00000000-0000-0000-0000-000000000000");

        assertThat(run.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(run.err().strip()).isEqualTo("lifeboat: no job 00000000-0000-0000-0000-000000000000");
        assertThat(lifeboat("job", "show", "not-a-uuid").exitCode()).isEqualTo(ExitCode.USAGE);
    }

    /** A small sparse image of {@code vm} backed up with the store API and recorded as the engine does. */
    private RestorePointId backUp(String vm) throws IOException {
        return CatalogedBackups.backUp(chunkStore, catalog, dir, vm);
    }
}
