package io.lifeboat.cli.lifeboat;

import io.lifeboat.cli.ConnectOption;
import io.lifeboat.cli.ExitCode;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lifeboat instant-recover}: POST /api/restore-points/{vm}/{time}/instant-recovery. */
@Command(name = "instant-recover", mixinStandardHelpOptions = true,
        description = {"Run a VM from a restore point at once: its disks are served from the store over NBD while a"
                + " background copy moves them to flat images, then the VM is pivoted onto them.",
                "Returns once the VM runs (with --wait, once the copy is done)."})
final class InstantRecoverCommand extends Verb {
    @Parameters(paramLabel = "VM/TIME", description = "The restore point, e.g. web01/20261127T070102.123Z.")
    String id;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "The recovered VM's name.")
    String name;

    @Option(names = "--keep-identity",
            description = "Keep the original's UUID and MAC addresses (a recovery site where the original is gone).")
    boolean keepIdentity;

    @Option(names = "--no-copy", description = "Only serve; start the copy later with POST /api/instant-recoveries/{id}/copy.")
    boolean noCopy;

    @Option(names = "--bandwidth", paramLabel = "BYTES",
            description = "Limit the background copy to BYTES per second (default: no limit).")
    Long bandwidth;

    @Option(names = "--image-dir", paramLabel = "DIR",
            description = "Directory on the appliance's host for the final images (default: <data-dir>/images).")
    String imageDir;

    @Mixin
    ConnectOption connect;

    @Option(names = "--wait", description = "Wait for the copy and pivot (progress on stderr when it is a terminal).")
    boolean await;

    @Override
    void run() throws CommandFailure, InterruptedException {
        if (bandwidth != null && bandwidth < 0) {
            throw new CommandFailure(ExitCode.USAGE, "--bandwidth must not be negative");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("newIdentity", !keepIdentity);
        body.put("imageDir", imageDir);
        body.put("bandwidth", bandwidth);
        body.put("copy", !noCopy);
        body.put("uri", connect.uri());
        JsonNode started = api().post(RestorePointCommand.path(id) + "/instant-recovery", body);
        String jobId = started.path("jobId").asText();
        if (await && !noCopy) {
            JobWatch.awaitSucceeded(this, jobId, "copy of instant recovery " + started.path("session").path("id").asText());
            print(api().get("/api/instant-recoveries/" + ApplianceClient.segment(started.path("session").path("id").asText())),
                    InstantRecoveriesCommand::text);
            return;
        }
        print(started, s -> InstantRecoveriesCommand.text(s.path("session")) + "\n\njob " + jobId);
    }
}
