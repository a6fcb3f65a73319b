package io.lifeboat.cli.lifeboat;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code lifeboat policies}: GET /api/policies, and each policy's latest run. */
@Command(name = "policies", mixinStandardHelpOptions = true,
        description = "List the backup policies: selection, schedule, next backup and last run.")
final class PoliciesCommand extends Verb {

    @Override
    void run() throws CommandFailure, InterruptedException {
        JsonNode policies = api().get(PolicyCommand.PATH);
        if (json()) {
            print(policies, null);
            return;
        }
        // The list carries no runs; each policy's own page has its latest ones.
        Table t = new Table("NAME", "PAUSED", "SELECTION", "SCHEDULE", "NEXT BACKUP", "LAST RUN");
        for (JsonNode p : policies) {
            JsonNode runs = api().get(PolicyCommand.path(p.path("name").asText())).path("recentRuns");
            JsonNode d = p.path("definition");
            t.row(p.path("name").asText(), p.path("paused").asBoolean() ? "yes" : "no", PolicyCommand.selection(d),
                    PolicyCommand.schedule(d), PolicyCommand.nextBackup(p),
                    runs.isEmpty() ? "never" : PolicyCommand.run(runs.get(0)));
        }
        System.out.println(t.render("no policies"));
    }
}
