package io.lifeboat.cli.lifeboat;

import io.lifeboat.cli.ConnectOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.Map;

/** {@code lifeboat clone}: POST /api/vms/{name}/clone. */
@Command(name = "clone", mixinStandardHelpOptions = true,
        description = "Copy a stopped VM's definition and disks to a new VM (not started).")
final class CloneCommand extends Verb {
    @Parameters(index = "0", paramLabel = "VM", description = "The VM to copy.")
    String vm;

    @Parameters(index = "1", paramLabel = "NEW-NAME", description = "The new VM's name.")
    String newName;

    @Mixin
    ConnectOption connect;

    @Override
    void run() throws CommandFailure, InterruptedException {
        print(api().post(at(connect, VmCommand.path(vm) + "/clone"), Map.of("name", newName)),
                c -> "cloned " + vm + " as " + c.path("name").asText(newName));
    }
}
