package io.lifeboat.cli.lifeboat;

import io.lifeboat.cli.Sizes;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lifeboat restore-points}: GET /api/restore-points. */
@Command(name = "restore-points", mixinStandardHelpOptions = true,
        description = "List the restore points in the store, by VM, then time.")
final class RestorePointsCommand extends Verb {
    @Option(names = "--vm", paramLabel = "VM", description = "Only this VM's restore points.")
    String vm;

    @Override
    void run() throws CommandFailure, InterruptedException {
        String query = vm == null ? "" : "?vm=" + ApplianceClient.segment(vm);
        print(api().get("/api/restore-points" + query), RestorePointsCommand::table);
    }

    static String table(JsonNode restorePoints) {
        Table t = new Table("RESTORE POINT", "KIND", "CONSISTENCY", "DISKS", "SIZE", "STORED", "STATUS");
        for (JsonNode rp : restorePoints) {
            t.row(rp.path("id").asText(), rp.path("kind").asText(), rp.path("consistency").asText(),
                    rp.path("disks").size(), Sizes.human(rp.path("logicalBytes").asLong()),
                    Sizes.human(rp.path("storedBytes").asLong()), rp.path("status").asText());
        }
        return t.render("no restore points");
    }
}
