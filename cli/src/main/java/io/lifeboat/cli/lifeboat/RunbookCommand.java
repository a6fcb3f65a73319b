package io.lifeboat.cli.lifeboat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.cli.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lifeboat runbook ...}: DR runbooks under /api/runbooks (docs/runbooks.md): list, show,
 * check and save their YAML, delete; their runs under /api/runbook-runs: the readiness check,
 * start a test, failover or failback, list runs, show one, resume, cancel, clean up.
 */
@Command(name = "runbook", mixinStandardHelpOptions = true,
        description = "DR runbooks: list, show, check and save a runbook's YAML (each save a new version), delete;"
                + " ready, run (test, failover, failback), runs, status, resume, cancel, cleanup.",
        subcommands = {RunbookCommand.ListRunbooks.class, RunbookCommand.Show.class, RunbookCommand.Check.class,
                RunbookCommand.Save.class, RunbookCommand.Delete.class, RunbookCommand.Ready.class,
                RunbookCommand.Run.class, RunbookCommand.Runs.class, RunbookCommand.Status.class,
                RunbookCommand.Resume.class, RunbookCommand.Cancel.class, RunbookCommand.Cleanup.class})
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

    static final String RUNS = "/api/runbook-runs";

    static String runPath(String id) {
        return RUNS + "/" + ApplianceClient.segment(id);
    }

    /** One line per VM and the run's state, RTO and downtime, as {@code restore-agent runbook report} prints them. */
    static String report(JsonNode r) {
        StringBuilder t = new StringBuilder();
        t.append("run ").append(r.path("run").asText()).append(" of ").append(r.path("runbook").asText()).append(" (")
                .append(r.path("kind").asText()).append("): ").append(r.path("state").asText());
        if (r.path("rtoSeconds").isNumber()) {
            t.append(", RTO ").append(r.path("rtoSeconds").asLong()).append(" s");
        }
        if (r.path("downtimeSeconds").isNumber()) {
            t.append(", downtime ").append(r.path("downtimeSeconds").asLong()).append(" s");
        }
        r.path("vms").forEach(v -> t.append("\n  ").append(v.path("vm").asText()).append(" as ").append(v.path("name").asText())
                .append(v.path("from").isMissingNode() ? "" : " from " + v.path("from").asText()).append(": ")
                .append(v.path("restorePoint").asText("not started"))
                .append(v.path("rpoSeconds").isNumber() ? ", RPO " + v.path("rpoSeconds").asLong() + " s" : ""));
        if (!r.path("error").asText("").isEmpty()) {
            t.append("\n  ").append(r.path("error").asText());
        }
        return t.toString();
    }

    @Command(name = "ready", mixinStandardHelpOptions = true,
            description = "The readiness check of a runbook's newest version: per VM its restore point, target, room,"
                    + " networks and primary. Nothing is started. Exit 1 when a VM is not ready.")
    static final class Ready extends Verb {
        @Parameters(paramLabel = "NAME", description = "The runbook.")
        String name;

        @Option(names = "--kind", paramLabel = "KIND", defaultValue = "failover", description = "failover (default) or test.")
        String kind;

        @Override
        void run() throws CommandFailure, InterruptedException {
            JsonNode r = api().post(path(name) + "/readiness?kind=" + ApplianceClient.segment(kind), Map.of());
            print(r, x -> {
                StringBuilder t = new StringBuilder(x.path("ready").asBoolean() ? "ready" : "NOT READY");
                x.path("vms").forEach(v -> {
                    t.append("\n  ").append(v.path("vm").asText()).append(": ")
                            .append(v.path("ready").asBoolean() ? "ready" : "not ready");
                    v.path("items").forEach(i -> {
                        if (!i.path("ok").asBoolean()) {
                            t.append("\n    ").append(i.path("check").asText()).append(": ").append(i.path("detail").asText());
                        }
                    });
                });
                return t.toString();
            });
            if (!r.path("ready").asBoolean()) {
                throw new CommandFailure(ExitCode.FAILED, "runbook " + name + " is not ready");
            }
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Start a run of a runbook's newest version: a test failover (an isolated drill), a failover,"
                    + " or a failback (home to the primary; it waits for the approval 'cutover' unless given here)."
                    + " It goes on in the appliance; follow it with 'runbook status RUN'.")
    static final class Run extends Verb {
        @Parameters(paramLabel = "NAME", description = "The runbook.")
        String name;

        @Option(names = "--kind", paramLabel = "KIND", required = true, description = "test, failover or failback.")
        String kind;

        @Option(names = "--ttl", paramLabel = "DURATION", description = "test: clean up this long after the start (90s, 2h).")
        String ttl;

        @Option(names = "--approve", paramLabel = "GROUP", description = "Give this approval up front (a group's, or"
                + " cutover for a failback); repeatable.")
        List<String> approve = new ArrayList<>();

        @Option(names = "--primary-lost", description = "failover: go on when the primary does not answer.")
        boolean primaryLost;

        @Override
        void run() throws CommandFailure, InterruptedException {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("kind", kind);
            if (ttl != null) {
                body.put("ttl", ttl);
            }
            body.put("primaryLost", primaryLost);
            body.put("approve", approve);
            print(api().post(path(name) + "/runs", body), r -> "started " + r.path("kind").asText() + " run "
                    + r.path("run").asText() + " of " + name + ": " + r.path("state").asText());
        }
    }

    @Command(name = "runs", mixinStandardHelpOptions = true, description = "List runbook runs, oldest first.")
    static final class Runs extends Verb {
        @Override
        void run() throws CommandFailure, InterruptedException {
            print(api().get(RUNS), list -> {
                Table t = new Table("RUN", "RUNBOOK", "KIND", "STATE", "STARTED", "RTO");
                list.forEach(r -> t.row(r.path("run").asText(), r.path("runbook").asText(), r.path("kind").asText(),
                        r.path("state").asText(), r.path("started").asText(),
                        r.path("rtoSeconds").isNumber() ? r.path("rtoSeconds").asLong() + " s" : ""));
                return t.render("no runs");
            });
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "A run's state, each VM, RTO, RPO and downtime.")
    static final class Status extends Verb {
        @Parameters(paramLabel = "RUN", description = "The run's id.")
        String id;

        @Override
        void run() throws CommandFailure, InterruptedException {
            print(api().get(runPath(id)), RunbookCommand::report);
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Go on with a halted or waiting run from the step that did not pass.")
    static final class Resume extends Verb {
        @Parameters(paramLabel = "RUN", description = "The run's id.")
        String id;

        @Option(names = "--approve", paramLabel = "GROUP", description = "Give this approval (a group's, or cutover); repeatable.")
        List<String> approve = new ArrayList<>();

        @Option(names = "--primary-lost", description = "failover: the primary site is lost; go on when it does not answer.")
        boolean primaryLost;

        @Override
        void run() throws CommandFailure, InterruptedException {
            print(api().post(runPath(id) + "/resume", Map.of("approve", approve, "primaryLost", primaryLost)),
                    r -> "resumed run " + id + ": " + r.path("state").asText());
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a run and undo what it did.")
    static final class Cancel extends Verb {
        @Parameters(paramLabel = "RUN", description = "The run's id.")
        String id;

        @Override
        void run() throws CommandFailure, InterruptedException {
            print(api().post(runPath(id) + "/cancel", Map.of()), RunbookCommand::report);
        }
    }

    @Command(name = "cleanup", mixinStandardHelpOptions = true,
            description = "Remove a test run's VMs, disks and network; its record and report stay.")
    static final class Cleanup extends Verb {
        @Parameters(paramLabel = "RUN", description = "The run's id.")
        String id;

        @Override
        void run() throws CommandFailure, InterruptedException {
            print(api().post(runPath(id) + "/cleanup", Map.of()), RunbookCommand::report);
        }
    }
}
