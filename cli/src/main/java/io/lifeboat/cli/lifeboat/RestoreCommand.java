package io.lifeboat.cli.lifeboat;

import io.lifeboat.cli.ConnectOption;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lifeboat restore}: POST /api/restore-points/{vm}/{time}/restore, then follow the job and
 * print what it made (GET /api/jobs/{id}/restore).
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Restore a restore point as a new VM, a clone beside the original, over the original, or as"
                + " disk images (--disk). The appliance checks everything first and writes nothing if it refuses.",
                "Waits for the restore job (progress on stderr when it is a terminal) and prints the VM and its disk files."})
final class RestoreCommand extends Verb {
    @Parameters(paramLabel = "VM/TIME", description = "The restore point, e.g. web01/20261127T070102.123Z.")
    String id;

    @Option(names = "--mode", paramLabel = "MODE",
            description = "new (default: the original's name, new UUID and MACs), clone (beside the original, default"
                    + " name VM-clone) or over-original (needs --overwrite, the original shut off).")
    String mode;

    @Option(names = "--name", paramLabel = "NAME", description = "The restored VM's name.")
    String name;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Directory on the appliance's host for the disk files (default: <data-dir>/images).")
    String dir;

    @Option(names = "--pool", paramLabel = "POOL", description = "A libvirt dir storage pool to put the disk files in, instead of --dir.")
    String pool;

    @Option(names = "--format", paramLabel = "FORMAT", description = "qcow2 (default) or raw.")
    String format;

    @Option(names = "--network", paramLabel = "OLD=NEW", description = "Move interfaces on network OLD to NEW (repeatable).")
    List<String> networks = new ArrayList<>();

    @Option(names = "--disk", paramLabel = "DISK", description = "Only this disk, as an image; no VM is defined (repeatable).")
    List<String> disks = new ArrayList<>();

    @Mixin
    ConnectOption connect;

    @Option(names = "--start", description = "Start the VM once defined.")
    boolean start;

    @Option(names = "--overwrite", description = "Replace existing disk files, a shut-off VM of the same name, or the original.")
    boolean overwrite;

    @Option(names = "--dry-run", description = "Only check, and print what would be written and defined.")
    boolean dryRun;

    @Option(names = "--no-wait", description = "Print the job id and return at once; follow it with 'lifeboat job show'.")
    boolean noWait;

    @Override
    void run() throws CommandFailure, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("mode", mode);
        body.put("name", name);
        body.put("directory", dir);
        body.put("pool", pool);
        body.put("format", format);
        body.put("networks", networks);
        body.put("disks", disks);
        body.put("uri", connect.uri());
        body.put("start", start);
        body.put("overwrite", overwrite);
        String path = RestorePointCommand.path(id) + "/restore";
        if (dryRun) {
            print(api().post(path + "?dryRun=true", body), RestoreCommand::plan);
            return;
        }
        JsonNode started = api().post(path, body);
        String jobId = JobWatch.jobId(started);
        if (noWait) {
            print(started, s -> jobId);
            return;
        }
        JobWatch.awaitSucceeded(this, jobId, "restore of " + id);
        print(api().get(JobCommand.path(jobId) + "/restore"), RestoreCommand::result);
    }

    static String plan(JsonNode plan) {
        return Table.fields(plan, "restorePoint", "mode", "name", "uuid", "uri", "definesVm", "replacesVm", "pool")
                + "\n\n" + disks(plan.path("disks")) + notes(plan.path("notes"));
    }

    static String result(JsonNode run) {
        String vm = run.path("vm").isTextual() ? run.path("vm").asText() : null;
        String head = vm == null ? "restored the disks of " + run.path("restorePoint").asText()
                : "restored " + run.path("restorePoint").asText() + " as " + vm
                + (run.path("started").asBoolean() ? " (running)" : "");
        return head + "\n\n" + disks(run.path("disks")) + notes(run.path("notes"));
    }

    private static String disks(JsonNode disks) {
        Table t = new Table("DISK", "FILE");
        disks.properties().forEach(e -> t.row(e.getKey(), e.getValue().asText()));
        return t.render("no disks");
    }

    private static String notes(JsonNode notes) {
        StringBuilder out = new StringBuilder();
        notes.forEach(n -> out.append("\nnote: ").append(n.asText()));
        return out.toString();
    }
}
