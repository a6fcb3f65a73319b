package io.lifeboat.cli.lifeboat;

import io.lifeboat.cli.ExitCode;
import io.lifeboat.cli.Sizes;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;

/**
 * {@code lifeboat replication}: GET /api/replication (the status), and {@code run} and
 * {@code test} under it.
 */
@Command(name = "replication", mixinStandardHelpOptions = true,
        description = {"Show replication to the S3 bucket: settings (never the secret), the running and the last run,"
                + " and per VM the newest restore point in the bucket and its lag."},
        subcommands = {ReplicationCommand.Run.class, ReplicationCommand.Test.class})
final class ReplicationCommand extends Verb {
    static final String PATH = "/api/replication";

    @Override
    void run() throws CommandFailure, InterruptedException {
        print(api().get(PATH), ReplicationCommand::text);
    }

    static String text(JsonNode status) {
        if (!status.path("configured").asBoolean()) {
            return "replication is not configured (lifeboat.replication.bucket is not set)";
        }
        StringBuilder out = new StringBuilder(Table.fields(status, "endpoint", "bucket", "region", "afterBackup", "every"));
        JsonNode running = status.path("running");
        out.append("\n\nrunning: ").append(running.isObject() ? job(running) : "no");
        JsonNode last = status.path("last");
        out.append("\nlast run: ").append(last.isObject() ? lastRun(last) : "never");
        Table vms = new Table("VM", "NEWEST IN BUCKET", "LAG", "CHECKED");
        status.path("vms").properties().forEach(e -> {
            JsonNode v = e.getValue();
            vms.row(e.getKey(), v.hasNonNull("newestInBucket") ? v.path("newestInBucket").asText() : "(none)",
                    v.hasNonNull("lagSeconds") ? lag(v.path("lagSeconds").asLong()) : "", Table.text(v.path("checkedAt")));
        });
        return out.append("\n\n").append(vms.render("no VMs with restore points")).toString();
    }

    private static String job(JsonNode job) {
        long total = job.path("bytesTotal").asLong();
        return "job " + job.path("id").asText() + ", " + job.path("state").asText()
                + (job.hasNonNull("phase") ? ", " + job.path("phase").asText() : "")
                + (total > 0 ? ", " + Sizes.human(job.path("bytesDone").asLong()) + " / " + Sizes.human(total) : "");
    }

    /** The latest finished run in one paragraph: state, when, error, then what its report says. */
    static String lastRun(JsonNode last) {
        StringBuilder out = new StringBuilder(last.path("state").asText())
                .append(" at ").append(last.path("ended").asText())
                .append(" (job ").append(last.path("job").asText()).append(")");
        if (last.hasNonNull("error")) {
            out.append("\n  error: ").append(last.path("error").asText());
        }
        JsonNode r = last.path("report");
        if (r.isObject()) {
            out.append("\n  ").append(report(r));
            r.path("failures").forEach(f -> out.append("\n  failed: ").append(f.asText()));
            JsonNode prune = r.path("prune");
            if (prune.isObject()) {
                out.append("\n  pruned: ").append(prune.path("deletedManifests").asInt()).append(" restore point(s), ")
                        .append(prune.path("deletedPacks").asInt()).append(" pack(s) (")
                        .append(Sizes.human(prune.path("deletedBytes").asLong())).append(")");
                if (prune.hasNonNull("note")) {
                    out.append("; ").append(prune.path("note").asText());
                }
            }
        }
        return out.toString();
    }

    /** What a run uploaded and found already there. */
    static String report(JsonNode r) {
        return "uploaded " + r.path("uploadedPacks").asInt() + " pack(s) and " + r.path("uploadedManifests").asInt()
                + " restore point(s), " + Sizes.human(r.path("uploadedBytes").asLong()) + "; already in the bucket: "
                + r.path("skippedPacks").asInt() + " pack(s), " + r.path("skippedManifests").asInt() + " restore point(s)";
    }

    /** Seconds as people read an age: {@code 42s}, {@code 3m12s}, {@code 5h02m}, {@code 2d03h}. */
    static String lag(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        if (seconds < 86_400) {
            return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
        }
        return String.format(Locale.ROOT, "%dd%02dh", seconds / 86_400, seconds % 86_400 / 3600);
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Replicate now: start a replication job and wait for it (progress on stderr when it is a terminal).",
                    "Prints what the run uploaded. A replication job cannot be cancelled: Ctrl-C stops waiting, the run goes on."})
    static final class Run extends Verb {
        @Option(names = "--no-wait", description = "Print the job id and return at once; follow it with 'lifeboat job show'.")
        boolean noWait;

        @Override
        void run() throws CommandFailure, InterruptedException {
            JsonNode started;
            try {
                started = api().post(PATH, null);
            } catch (CommandFailure f) {
                if (f.exitCode() == ExitCode.CONFLICT) {
                    throw new CommandFailure(ExitCode.CONFLICT, "not started: " + f.getMessage()
                            + "; wait for it with 'lifeboat jobs --state RUNNING' and 'lifeboat job show ID'");
                }
                throw f;
            }
            String jobId = JobWatch.jobId(started);
            if (noWait) {
                print(started, s -> jobId);
                return;
            }
            JsonNode job = JobWatch.awaitSucceeded(this, jobId, "replication");
            // The run's report is in the status (recorded before the job ends); a newer run may have
            // ended since, in which case the job is all there is to show.
            JsonNode last = api().get(PATH).path("last");
            if (last.path("job").asText().equals(jobId)) {
                print(last, l -> "replicated (job " + jobId + "): " + (l.path("report").isObject()
                        ? report(l.path("report")) : "no report"));
            } else {
                print(job, j -> "replicated (job " + jobId + ")");
            }
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = "Test the connection to the bucket and probe how the server must be sent objects: exit 0 if it"
                    + " answers, accepts the credentials and stores a probe object intact (printing the upload settings"
                    + " chosen), else 1 with what is wrong (access denied, no such bucket, endpoint unreachable, no upload"
                    + " encoding the server stores intact).")
    static final class Test extends Verb {
        @Override
        void run() throws CommandFailure, InterruptedException {
            JsonNode check = api().post(PATH + "/test", null);
            String message = check.path("message").asText("");
            if (check.path("ok").asBoolean()) {
                print(check, c -> message);
                return;
            }
            if (json()) {
                print(check, c -> message);
            }
            throw new CommandFailure(ExitCode.FAILED, "replication test failed: " + message);
        }
    }
}
