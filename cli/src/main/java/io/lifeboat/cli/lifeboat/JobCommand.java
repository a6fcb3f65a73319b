package io.lifeboat.cli.lifeboat;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code lifeboat job ...}: one job, under /api/jobs/{id}. */
@Command(name = "job", mixinStandardHelpOptions = true, description = "Show or cancel a job.",
        subcommands = {JobCommand.Show.class, JobCommand.Cancel.class})
final class JobCommand {

    static String path(String id) {
        return "/api/jobs/" + ApplianceClient.segment(id);
    }

    static String text(JsonNode job) {
        return Table.fields(job, "id", "kind", "vm", "state", "phase", "bytesDone", "bytesTotal",
                "created", "started", "ended", "error", "restorePoint");
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a job: state, phase and progress.")
    static final class Show extends Verb {
        @Parameters(paramLabel = "ID", description = "The job (a UUID).")
        String id;

        @Override
        void run() throws CommandFailure, InterruptedException {
            print(api().get(path(id)), JobCommand::text);
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = "Ask the appliance to cancel a job; it stops at its next safe point.")
    static final class Cancel extends Verb {
        @Parameters(paramLabel = "ID", description = "The job (a UUID).")
        String id;

        @Override
        void run() throws CommandFailure, InterruptedException {
            JsonNode r = api().post(path(id) + "/cancel", null);
            print(r.isMissingNode() ? ApplianceClient.JSON.createObjectNode().put("id", id).put("cancelRequested", true) : r,
                    x -> "asked the appliance to cancel job " + id);
        }
    }
}
