package io.lifeboat.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
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
    HostOption host;

    @Override
    void run() throws CommandFailure, InterruptedException {
        JsonNode started = api().post(host.on(VmCommand.path(vm) + "/backups"), null);
        String jobId = started.path("jobId").asText();
        if (jobId.isEmpty()) {
            throw new CommandFailure(ExitCode.FAILED, "the appliance started no job (no jobId in its answer)");
        }
        if (noWait) {
            print(started, s -> jobId);
            return;
        }
        boolean bar = !json() && System.console() != null;
        JsonNode job = new JobWatch(api(), bar ? new JobProgressBar(System.err) : null).await(jobId);
        String state = job.path("state").asText();
        if (!state.equals("SUCCEEDED")) {
            if (json()) {
                print(job, JobCommand::text);
            }
            String why = job.path("error").asText("");
            throw new CommandFailure(ExitCode.FAILED, "backup of " + vm + " " + state.toLowerCase(java.util.Locale.ROOT)
                    + (why.isBlank() ? "" : ": " + why) + " (job " + jobId + ")");
        }
        print(job, j -> restorePoint(j.path("restorePoint")));
    }

    /** The restore point's id, whether the job names it by id or carries the whole restore point. */
    private static String restorePoint(JsonNode rp) {
        return rp.isObject() ? rp.path("id").asText() : rp.asText();
    }
}
