package io.lifeboat.cli.lifeboat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.cli.Sizes;
import picocli.CommandLine.Command;

/** {@code lifeboat instant-recoveries}: GET /api/instant-recoveries. */
@Command(name = "instant-recoveries", mixinStandardHelpOptions = true,
        description = "List instant recovery sessions: state, VM, restore point, bytes served from the store per disk.")
final class InstantRecoveriesCommand extends Verb {

    @Override
    void run() throws CommandFailure, InterruptedException {
        print(api().get("/api/instant-recoveries"), InstantRecoveriesCommand::table);
    }

    static String table(JsonNode sessions) {
        Table t = new Table("ID", "STATE", "VM", "RESTORE POINT", "SERVED", "JOB");
        for (JsonNode s : sessions) {
            t.row(s.path("id").asText(), s.path("state").asText(), s.path("vm").asText(), s.path("restorePoint").asText(),
                    served(s), Table.text(s.path("jobId")));
        }
        return t.render("no instant recoveries");
    }

    /** One session: its fields and a line per disk. */
    static String text(JsonNode s) {
        Table disks = new Table("DISK", "IMAGE", "SERVED");
        s.path("disks").forEach(d -> disks.row(d.path("target").asText(), d.path("image").asText(),
                d.path("bytesServed").isNumber() ? Sizes.human(d.path("bytesServed").asLong()) : "-"));
        return Table.fields(s, "id", "state", "vm", "restorePoint", "uri", "jobId", "serving", "copying", "error")
                + "\n\n" + disks.render("no disks");
    }

    /** {@code vda 1.2 MiB, vdb 0 B}, or {@code -} when not served. */
    private static String served(JsonNode s) {
        StringBuilder out = new StringBuilder();
        for (JsonNode d : s.path("disks")) {
            if (d.path("bytesServed").isNumber()) {
                out.append(out.isEmpty() ? "" : ", ").append(d.path("target").asText()).append(' ')
                        .append(Sizes.human(d.path("bytesServed").asLong()));
            }
        }
        return out.isEmpty() ? "-" : out.toString();
    }
}
