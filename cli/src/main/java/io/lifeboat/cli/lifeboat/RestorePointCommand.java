package io.lifeboat.cli.lifeboat;

import io.lifeboat.cli.ExitCode;
import io.lifeboat.cli.Sizes;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code lifeboat restore-point ...}: one restore point, at /api/restore-points/{vm}/{time}. */
@Command(name = "restore-point", mixinStandardHelpOptions = true, description = "Show or delete a restore point.",
        subcommands = {RestorePointCommand.Show.class, RestorePointCommand.Delete.class})
final class RestorePointCommand {
    private static final String ID_HELP = "The restore point: VM/TIME, e.g. web01/20261127T070102.123Z.";

    /** The API path of a restore point id {@code vm/time}; the appliance checks the parts themselves. */
    static String path(String id) throws CommandFailure {
        int slash = id.indexOf('/');
        if (slash <= 0 || slash == id.length() - 1 || id.indexOf('/', slash + 1) >= 0) {
            throw new CommandFailure(ExitCode.USAGE,
                    "not a restore point id: '" + id + "' (expected VM/TIME, e.g. web01/20261127T070102.123Z)");
        }
        return "/api/restore-points/" + ApplianceClient.segment(id.substring(0, slash)) + "/"
                + ApplianceClient.segment(id.substring(slash + 1));
    }

    static String text(JsonNode rp) {
        Table disks = new Table("DISK", "SIZE");
        rp.path("disks").forEach(d -> disks.row(d.path("name").asText(), Sizes.human(d.path("sizeBytes").asLong())));
        return Table.fields(rp, "id", "vm", "time", "kind", "consistency", "checkpoint", "logicalBytes",
                "newBytes", "storedBytes", "durationMillis", "status", "reason")
                + "\n\n" + disks.render("no disks");
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show a restore point: kind, consistency, disks, sizes; deleted ones too.")
    static final class Show extends Verb {
        @Parameters(paramLabel = "ID", description = ID_HELP)
        String id;

        @Override
        void run() throws CommandFailure, InterruptedException {
            print(api().get(path(id)), RestorePointCommand::text);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a restore point from the store (its space is freed by the next GC).")
    static final class Delete extends Verb {
        @Parameters(paramLabel = "ID", description = ID_HELP)
        String id;

        @Override
        void run() throws CommandFailure, InterruptedException {
            print(api().delete(path(id)), rp -> "deleted " + rp.path("id").asText(id));
        }
    }
}
