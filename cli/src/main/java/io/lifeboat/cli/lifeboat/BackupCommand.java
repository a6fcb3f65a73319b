package io.lifeboat.cli.lifeboat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.cli.ConnectOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lifeboat backup}: POST /api/vms/{name}/backups, then follow the job. */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Back up a VM: start a backup job and wait for it (progress on stderr when it is a terminal).",
                "Prints the new restore point's id. Ctrl-C cancels the job."})
final class BackupCommand extends Verb {
    @Parameters(paramLabel = "VM", description = "The VM.")
    String vm;

    @Option(names = "--no-wait", description = "Print the job id and return at once; follow it with 'lifeboat job show'.")
    boolean noWait;

    @Mixin
    ConnectOption connect;

    @Override
    void run() throws CommandFailure, InterruptedException {
        JsonNode started = api().post(at(connect, VmCommand.path(vm) + "/backups"), null);
        String jobId = JobWatch.jobId(started);
        if (noWait) {
            print(started, s -> jobId);
            return;
        }
        JsonNode job = JobWatch.awaitSucceeded(this, jobId, "backup of " + vm);
        print(job, j -> restorePoint(j.path("restorePoint")));
    }

    /** The restore point's id, whether the job names it by id or carries the whole restore point. */
    private static String restorePoint(JsonNode rp) {
        return rp.isObject() ? rp.path("id").asText() : rp.asText();
    }
}
