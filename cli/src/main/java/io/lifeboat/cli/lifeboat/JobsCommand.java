package io.lifeboat.cli.lifeboat;

import io.lifeboat.cli.Sizes;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lifeboat jobs}: GET /api/jobs. */
@Command(name = "jobs", mixinStandardHelpOptions = true, description = "List jobs, most recent first.")
final class JobsCommand extends Verb {
    @Option(names = "--state", paramLabel = "STATE",
            description = "Only jobs in this state: QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED.")
    String state;

    @Option(names = "--limit", paramLabel = "N", description = "At most N jobs (1-1000, default 100).")
    Integer limit;

    @Override
    void run() throws CommandFailure, InterruptedException {
        StringBuilder query = new StringBuilder();
        if (state != null) {
            query.append("&state=").append(ApplianceClient.segment(state));
        }
        if (limit != null) {
            query.append("&limit=").append(limit);
        }
        String q = query.isEmpty() ? "" : "?" + query.substring(1);
        print(api().get("/api/jobs" + q), JobsCommand::table);
    }

    static String table(JsonNode jobs) {
        Table t = new Table("ID", "KIND", "VM", "STATE", "PHASE", "PROGRESS", "CREATED");
        for (JsonNode j : jobs) {
            long total = j.path("bytesTotal").asLong();
            String progress = total > 0
                    ? Sizes.human(j.path("bytesDone").asLong()) + " / " + Sizes.human(total) : "";
            t.row(j.path("id").asText(), j.path("kind").asText(), Table.text(j.path("vm")), j.path("state").asText(),
                    Table.text(j.path("phase")), progress, j.path("created").asText());
        }
        return t.render("no jobs");
    }
}
