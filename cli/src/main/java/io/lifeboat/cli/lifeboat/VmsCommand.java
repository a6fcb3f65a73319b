package io.lifeboat.cli.lifeboat;

import io.lifeboat.cli.ConnectOption;
import io.lifeboat.cli.Sizes;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code lifeboat vms}: GET /api/vms. */
@Command(name = "vms", mixinStandardHelpOptions = true, description = "List the VMs on the appliance's libvirt hosts.")
final class VmsCommand extends Verb {
    @Mixin
    ConnectOption connect;

    @Override
    void run() throws CommandFailure, InterruptedException {
        print(api().get(at(connect, "/api/vms")), VmsCommand::table);
    }

    static String table(JsonNode vms) {
        Table t = new Table("NAME", "STATE", "HOST", "VCPUS", "MEMORY", "DISKS", "TAGS");
        for (JsonNode vm : vms) {
            t.row(vm.path("name").asText(), vm.path("state").asText(), vm.path("host").asText(),
                    vm.path("vcpus").asText(), Sizes.human(vm.path("memoryBytes").asLong()),
                    vm.path("disks").size(), Table.text(vm.path("tags")));
        }
        return t.render("no VMs");
    }
}
