package io.lifeboat.cli.lifeboat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.cli.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code lifeboat runbook ...}: DR runbooks under /api/runbooks (docs/runbooks.md): list, show,
 * check and save their YAML, delete.
 */
@Command(name = "runbook", mixinStandardHelpOptions = true,
        description = "DR runbooks: list, show, check and save a runbook's YAML (each save a new version), delete.",
        subcommands = {RunbookCommand.ListRunbooks.class, RunbookCommand.Show.class, RunbookCommand.Check.class,
                RunbookCommand.Save.class, RunbookCommand.Delete.class})
final class RunbookCommand {
    static final String PATH = "/api/runbooks";
    private static final String YAML = "application/yaml";
    private static final String FILE_HELP = "The runbook's YAML (docs/runbooks.md); - for stdin.";

    static String path(String name) {
        return PATH + "/" + ApplianceClient.segment(name);
    }

    /** The file's text; one that cannot be read is bad input, and nothing is sent. */
    static String read(String file) throws CommandFailure {
        try (InputStream in = file.equals("-") ? System.in : Files.newInputStream(Path.of(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new CommandFailure(ExitCode.NOT_FOUND, "no such file " + file);
        } catch (IOException e) {
            throw new CommandFailure(ExitCode.USAGE, "cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Groups in run order, each with its VMs: {@code db: pg01 → web: web01, web02}. */
    static String order(JsonNode runbook) {
        List<String> groups = new ArrayList<>();
        runbook.path("groups").forEach(g -> {
            List<String> vms = new ArrayList<>();
            g.path("vms").forEach(v -> vms.add(v.path("vm").asText()));
            groups.add(g.path("name").asText() + ": " + String.join(", ", vms));
        });
        return String.join(" → ", groups);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List runbooks: each one's newest version.")
    static final class ListRunbooks extends Verb {
        @Override
        void run() throws CommandFailure, InterruptedException {
            print(api().get(PATH), list -> {
                Table t = new Table("NAME", "VERSION", "RUN ORDER", "VMS", "CHANGED", "BY");
                list.forEach(r -> {
                    List<String> groups = new ArrayList<>();
                    r.path("groups").forEach(g -> groups.add(g.asText()));
                    t.row(r.path("name").asText(), r.path("version").asText(), String.join(" → ", groups),
                            r.path("vms").asText(), r.path("created").asText(), r.path("createdBy").asText());
                });
                return t.render("no runbooks");
            });
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a runbook's newest version, in run order.")
    static final class Show extends Verb {
        @Parameters(paramLabel = "NAME", description = "The runbook.")
        String name;

        @Override
        void run() throws CommandFailure, InterruptedException {
            print(api().get(path(name)), r -> r.path("name").asText() + " version " + r.path("version").asText()
                    + " (" + r.path("createdBy").asText() + ", " + r.path("created").asText() + ")\n" + order(r));
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check a runbook's YAML as the appliance would store it (its VMs must have restore points there);"
                    + " every problem as FILE:LINE:COLUMN: message. Nothing is stored.")
    static final class Check extends Verb {
        @Parameters(paramLabel = "FILE", description = FILE_HELP)
        String file;

        @Override
        void run() throws CommandFailure, InterruptedException {
            JsonNode answer = api().postText(PATH + "/validate", YAML, read(file));
            if (!answer.path("valid").asBoolean()) {
                List<String> lines = new ArrayList<>();
                answer.path("problems").forEach(p -> lines.add(file + ":" + p.path("line").asInt() + ":"
                        + p.path("column").asInt() + ": " + p.path("message").asText()));
                throw new CommandFailure(ExitCode.USAGE, String.join("\n", lines));
            }
            print(answer, a -> "valid: " + order(a.path("runbook")));
        }
    }

    @Command(name = "save", mixinStandardHelpOptions = true,
            description = "Store a runbook's YAML as its next version (nothing changes if it is the newest version already).")
    static final class Save extends Verb {
        @Parameters(paramLabel = "FILE", description = FILE_HELP)
        String file;

        @Override
        void run() throws CommandFailure, InterruptedException {
            print(api().postText(PATH, YAML, read(file)), r -> "saved runbook " + r.path("name").asText() + " version "
                    + r.path("version").asText() + ": " + order(r));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a runbook, every version of it (copies already in the bucket stay there).")
    static final class Delete extends Verb {
        @Parameters(paramLabel = "NAME", description = "The runbook.")
        String name;

        @Override
        void run() throws CommandFailure, InterruptedException {
            api().delete(path(name));
            print(ApplianceClient.JSON.createObjectNode().put("name", name).put("deleted", true),
                    r -> "deleted runbook " + name);
        }
    }
}
