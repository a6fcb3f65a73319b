package io.lifeboat.cli.lifeboat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lifeboat.cli.ConnectOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** {@code lifeboat snapshot ...}: a VM's libvirt snapshots, under /api/vms/{name}/snapshots. */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = "List, create, revert to and delete a VM's libvirt snapshots.",
        subcommands = {SnapshotCommand.ListSnapshots.class, SnapshotCommand.Create.class,
                SnapshotCommand.Revert.class, SnapshotCommand.Delete.class})
final class SnapshotCommand {

    static String path(String vm) {
        return VmCommand.path(vm) + "/snapshots";
    }

    static String path(String vm, String snapshot) {
        return path(vm) + "/" + ApplianceClient.segment(snapshot);
    }

    /** revert and delete: VM NAME. */
    abstract static class OneSnapshot extends Verb {
        @Parameters(index = "0", paramLabel = "VM", description = "The VM.")
        String vm;

        @Mixin
        ConnectOption connect;

        @Parameters(index = "1", paramLabel = "NAME", description = "The snapshot.")
        String name;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List a VM's snapshots.")
    static final class ListSnapshots extends Verb {
        @Parameters(paramLabel = "VM", description = "The VM.")
        String vm;

        @Mixin
        ConnectOption connect;

        @Override
        void run() throws CommandFailure, InterruptedException {
            print(api().get(at(connect, path(vm))), snapshots -> {
                Table t = new Table("NAME", "CREATED", "VM STATE", "KIND", "PARENT", "CURRENT");
                snapshots.forEach(s -> t.row(s.path("name").asText(), s.path("createdAt").asText(),
                        s.path("vmState").asText(), s.path("kind").asText(), Table.text(s.path("parent")),
                        s.path("current").asBoolean() ? "*" : ""));
                return t.render("no snapshots of " + vm);
            });
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Take a snapshot of a VM (with its memory if it is running).")
    static final class Create extends Verb {
        private static final DateTimeFormatter DEFAULT_NAME_TIME =
                DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

        @Parameters(index = "0", paramLabel = "VM", description = "The VM.")
        String vm;

        @Mixin
        ConnectOption connect;

        @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "The snapshot's name (default: lifeboat-<UTC time>, e.g. lifeboat-20261127T070102Z).")
        String name;

        @Option(names = "--description", paramLabel = "TEXT", description = "What the snapshot is for.")
        String description;

        @Override
        void run() throws CommandFailure, InterruptedException {
            if (name == null) {
                name = "lifeboat-" + DEFAULT_NAME_TIME.format(Instant.now());
            }
            ObjectNode body = ApplianceClient.JSON.createObjectNode().put("name", name);
            if (description != null) {
                body.put("description", description);
            }
            print(api().post(at(connect, path(vm)), body), s -> "created snapshot " + s.path("name").asText(name) + " of " + vm);
        }
    }

    @Command(name = "revert", mixinStandardHelpOptions = true,
            description = "Return a VM to a snapshot (and to the state it was in then).")
    static final class Revert extends OneSnapshot {
        @Override
        void run() throws CommandFailure, InterruptedException {
            JsonNode r = api().post(at(connect, path(vm, name) + "/revert"), null);
            print(r.isMissingNode() ? ApplianceClient.JSON.createObjectNode().put("name", vm).put("snapshot", name) : r,
                    x -> vm + " reverted to " + name + (x.hasNonNull("state") ? " (" + x.path("state").asText() + ")" : ""));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a snapshot (the VM stays as it is).")
    static final class Delete extends OneSnapshot {
        @Override
        void run() throws CommandFailure, InterruptedException {
            JsonNode r = api().delete(at(connect, path(vm, name)));
            print(r.isMissingNode() ? ApplianceClient.JSON.createObjectNode().put("vm", vm).put("deleted", name) : r,
                    x -> "deleted snapshot " + name + " of " + vm);
        }
    }
}
