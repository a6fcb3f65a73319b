package io.lifeboat.cli.lifeboat;

import io.lifeboat.cli.ConnectOption;
import io.lifeboat.cli.ExitCode;
import io.lifeboat.cli.Sizes;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code lifeboat vm ...}: one VM, under /api/vms/{name}. */
@Command(name = "vm", mixinStandardHelpOptions = true, description = "Show, define, start, stop, delete and tag a VM.",
        subcommands = {VmCommand.Show.class, VmCommand.Define.class, VmCommand.Start.class, VmCommand.Shutdown.class,
                VmCommand.ForceOff.class, VmCommand.Delete.class, VmCommand.Tags.class})
final class VmCommand {

    static String path(String vm) {
        return "/api/vms/" + ApplianceClient.segment(vm);
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a VM: state, size, disks and tags.")
    static final class Show extends Verb {
        @Parameters(paramLabel = "NAME", description = "The VM.")
        String name;

        @Mixin
        ConnectOption connect;

        @Override
        void run() throws CommandFailure, InterruptedException {
            print(api().get(at(connect, path(name))), Show::text);
        }

        static String text(JsonNode vm) {
            Table disks = new Table("DISK", "DEVICE", "FORMAT", "SIZE", "ALLOCATED", "PATH");
            vm.path("disks").forEach(d -> disks.row(d.path("target").asText(), d.path("device").asText(),
                    d.path("format").asText(), Sizes.human(d.path("virtualSize").asLong()),
                    Sizes.human(d.path("allocatedSize").asLong()), Table.text(d.path("path"))));
            return Table.fields(vm, "name", "uuid", "host", "state", "vcpus", "memoryBytes", "tags")
                    + "\n\n" + disks.render("no disks");
        }
    }

    @Command(name = "define", mixinStandardHelpOptions = true,
            description = "Define a VM from a libvirt domain XML file (it is not started).")
    static final class Define extends Verb {
        @Parameters(paramLabel = "FILE.xml", description = "The domain XML.")
        Path file;

        @Mixin
        ConnectOption connect;

        @Override
        void run() throws CommandFailure, InterruptedException {
            String xml;
            try {
                xml = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CommandFailure(ExitCode.USAGE, "cannot read " + file + ": " + e.getMessage());
            }
            print(api().postXml(at(connect, "/api/vms"), xml), vm -> "defined " + vm.path("name").asText()
                    + (vm.hasNonNull("state") ? " (" + vm.path("state").asText() + ")" : ""));
        }
    }

    /** start, shutdown and force-off: POST /api/vms/{name}/{verb}, answered with {name, state}. */
    abstract static class StateChange extends Verb {
        @Parameters(paramLabel = "NAME", description = "The VM.")
        String name;

        @Mixin
        ConnectOption connect;

        /** Query parameters of the action beyond the host, from "?" on. */
        String parameters() {
            return "";
        }

        @Override
        void run() throws CommandFailure, InterruptedException {
            print(api().post(at(connect, path(name) + "/" + spec.name() + parameters()), null),
                    r -> r.path("name").asText(name) + ": " + r.path("state").asText());
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start a VM.")
    static final class Start extends StateChange {
    }

    @Command(name = "shutdown", mixinStandardHelpOptions = true,
            description = "Ask a VM's guest to shut down (ACPI) and wait for it to be off.")
    static final class Shutdown extends StateChange {
        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
                description = "Wait this long for the VM to be off (0: only ask; default ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Override
        String parameters() {
            return "?timeoutSeconds=" + timeoutSeconds;
        }

    }

    @Command(name = "force-off", mixinStandardHelpOptions = true,
            description = "Power a VM off at once, as if its plug were pulled.")
    static final class ForceOff extends StateChange {
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Undefine a VM (with its snapshot metadata); its disk images stay unless --delete-disks.")
    static final class Delete extends Verb {
        @Parameters(paramLabel = "NAME", description = "The VM.")
        String name;

        @Mixin
        ConnectOption connect;

        @Option(names = "--delete-disks", description = "Delete its disk image files too.")
        boolean deleteDisks;

        @Override
        void run() throws CommandFailure, InterruptedException {
            JsonNode r = api().delete(at(connect, path(name) + "?deleteDisks=" + deleteDisks));
            print(r.isMissingNode() ? ApplianceClient.JSON.createObjectNode().put("name", name).put("deleted", true) : r,
                    x -> "deleted " + name);
        }
    }

    @Command(name = "tags", mixinStandardHelpOptions = true,
            description = "Show a VM's tags, or replace them with the TAGs given (--clear removes them all).")
    static final class Tags extends Verb {
        @Parameters(index = "0", paramLabel = "NAME", description = "The VM.")
        String name;

        @Mixin
        ConnectOption connect;

        @Parameters(index = "1..*", paramLabel = "TAG", arity = "0..*", description = "The VM's new tags (all of them).")
        List<String> tags;

        @Option(names = "--clear", description = "Remove all tags.")
        boolean clear;

        @Override
        void run() throws CommandFailure, InterruptedException {
            boolean set = clear || (tags != null && !tags.isEmpty());
            if (clear && tags != null && !tags.isEmpty()) {
                throw new CommandFailure(ExitCode.USAGE, "give either --clear or tags, not both");
            }
            JsonNode r = set ? api().put(at(connect, path(name) + "/tags"), clear ? List.of() : tags) : api().get(at(connect, path(name)));
            // The answer may be the tags or the VM; either way the tags are what to show.
            JsonNode now = r.isArray() ? r : r.path("tags");
            if (now.isMissingNode()) {
                now = ApplianceClient.JSON.valueToTree(clear ? List.of() : tags);
            }
            print(now, t -> t.isEmpty() ? "no tags" : String.join("\n", ApplianceClient.JSON.convertValue(t, String[].class)));
        }
    }
}
