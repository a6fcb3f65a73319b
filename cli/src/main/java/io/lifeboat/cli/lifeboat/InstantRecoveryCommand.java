package io.lifeboat.cli.lifeboat;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code lifeboat instant-recovery ...}: one session, under /api/instant-recoveries/{id}. */
@Command(name = "instant-recovery", mixinStandardHelpOptions = true,
        description = "Show an instant recovery session, start its copy, stop it (VM and all), or discard it once no VM needs it.",
        subcommands = {InstantRecoveryCommand.Show.class, InstantRecoveryCommand.Copy.class,
                InstantRecoveryCommand.Stop.class, InstantRecoveryCommand.Discard.class})
final class InstantRecoveryCommand {

    static String path(String id) {
        return "/api/instant-recoveries/" + ApplianceClient.segment(id);
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a session: state, VM, disks, bytes served.")
    static final class Show extends Verb {
        @Parameters(paramLabel = "ID", description = "The session (8 hex digits).")
        String id;

        @Override
        void run() throws CommandFailure, InterruptedException {
            print(api().get(path(id)), InstantRecoveriesCommand::text);
        }
    }

    @Command(name = "copy", mixinStandardHelpOptions = true,
            description = "Start the background copy onto flat images and the pivot (for a session started with --no-copy,"
                    + " or whose copy failed). Prints the job.")
    static final class Copy extends Verb {
        @Parameters(paramLabel = "ID", description = "The session (8 hex digits).")
        String id;

        @Override
        void run() throws CommandFailure, InterruptedException {
            JsonNode r = api().post(path(id) + "/copy", null);
            print(r, x -> "copy of instant recovery " + id + " started: job " + x.path("jobId").asText());
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "End a recovery not wanted any more (a checked DR drill): its VM is destroyed and undefined,"
                    + " throwing away what the guest wrote, and the session goes.")
    static final class Stop extends Verb {
        @Parameters(paramLabel = "ID", description = "The session (8 hex digits).")
        String id;

        @Override
        void run() throws CommandFailure, InterruptedException {
            api().post(path(id) + "/stop", null);
            print(ApplianceClient.JSON.createObjectNode().put("id", id).put("stopped", true),
                    x -> "stopped instant recovery " + id + "; its VM is removed");
        }
    }

    @Command(name = "discard", mixinStandardHelpOptions = true,
            description = "Remove a session no VM needs any more (pivoted, or failed with its VM gone); its restore point"
                    + " is then no longer held.")
    static final class Discard extends Verb {
        @Parameters(paramLabel = "ID", description = "The session (8 hex digits).")
        String id;

        @Override
        void run() throws CommandFailure, InterruptedException {
            api().delete(path(id));
            print(ApplianceClient.JSON.createObjectNode().put("id", id).put("discarded", true),
                    x -> "discarded instant recovery " + id);
        }
    }
}
