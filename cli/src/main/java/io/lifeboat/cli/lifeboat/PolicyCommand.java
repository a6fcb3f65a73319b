package io.lifeboat.cli.lifeboat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lifeboat.cli.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code lifeboat policy ...}: one backup policy, under /api/policies/{name}. */
@Command(name = "policy", mixinStandardHelpOptions = true,
        description = "Show, create, change, delete, pause, resume and run a backup policy, and preview its retention.",
        subcommands = {PolicyCommand.Show.class, PolicyCommand.Create.class, PolicyCommand.Update.class,
                PolicyCommand.Delete.class, PolicyCommand.Pause.class, PolicyCommand.Resume.class,
                PolicyCommand.RunNow.class, PolicyCommand.PrunePreview.class})
final class PolicyCommand {
    static final String PATH = "/api/policies";
    private static final String FILE_HELP = "The policy as JSON, the body the API takes (docs/api.md, \"Policies\");"
            + " - for stdin.";

    static String path(String name) {
        return PATH + "/" + ApplianceClient.segment(name);
    }

    /** The selection in one cell: names and globs as they are, tags as {@code tag:NAME}. */
    static String selection(JsonNode definition) {
        JsonNode s = definition.path("selection");
        List<String> parts = new ArrayList<>();
        s.path("names").forEach(n -> parts.add(n.asText()));
        s.path("globs").forEach(g -> parts.add(g.asText()));
        s.path("tags").forEach(t -> parts.add("tag:" + t.asText()));
        return String.join(",", parts);
    }

    static String schedule(JsonNode definition) {
        return definition.path("cron").asText() + " (" + definition.path("timeZone").asText() + ")";
    }

    static String nextBackup(JsonNode policy) {
        JsonNode next = policy.path("nextFireTimes").path("backup");
        return next.isEmpty() ? (policy.path("paused").asBoolean() ? "paused" : "") : next.get(0).asText();
    }

    /** The rules that keep something: {@code keep-last=3, keep-daily=7}; {@code keep-all} when every count is 0, as retention then keeps everything. */
    static String retention(JsonNode retention) {
        List<String> rules = new ArrayList<>();
        retention.properties().forEach(e -> {
            if (e.getValue().asInt() != 0) {
                rules.add(e.getKey() + "=" + e.getValue().asInt());
            }
        });
        return rules.isEmpty() ? "keep-all" : String.join(", ", rules);
    }

    /** A run in one cell: outcome, kind and when it fired. */
    static String run(JsonNode run) {
        return run.path("outcome").asText() + " " + run.path("kind").asText().toLowerCase(Locale.ROOT)
                + " " + run.path("fired").asText(run.path("scheduled").asText());
    }

    static String text(JsonNode p) {
        JsonNode d = p.path("definition");
        // One aligned block of fields: the definition's nested values (selection, window, retention) flattened to text.
        ObjectNode view = ApplianceClient.JSON.createObjectNode()
                .put("name", p.path("name").asText())
                .put("paused", p.path("paused").asBoolean())
                .put("selection", selection(d))
                .put("schedule", schedule(d));
        if (d.path("window").isObject()) {
            view.put("window", d.path("window").path("start").asText() + "-" + d.path("window").path("end").asText());
        }
        view.put("retention", retention(d.path("retention")))
                .put("retries", d.path("retries").path("count").asInt() + ", backoff "
                        + d.path("retries").path("backoff").asText());
        for (String f : List.of("maxConcurrentPerHost", "maxConcurrentTotal", "replicateAfterBackup", "verifyCron",
                "gcCron", "misfire")) {
            view.set(f, d.path(f));
        }
        view.set("created", p.path("created"));
        view.set("updated", p.path("updated"));
        StringBuilder out = new StringBuilder(Table.fields(view, view.properties().stream()
                .map(java.util.Map.Entry::getKey).toArray(String[]::new)));

        Table next = new Table("SCHEDULE", "NEXT FIRE TIME");
        p.path("nextFireTimes").properties().forEach(e -> {
            String kind = e.getKey();
            for (JsonNode t : e.getValue()) {
                next.row(kind, t.asText());
                kind = "";
            }
        });
        out.append("\n\n").append(next.render(p.path("paused").asBoolean() ? "paused: no fire times" : "no fire times"));

        JsonNode runs = p.path("recentRuns");
        if (runs.isArray()) {
            Table r = new Table("FIRED", "KIND", "CAUSE", "OUTCOME", "VMS", "DETAIL");
            runs.forEach(x -> r.row(x.path("fired").asText(x.path("scheduled").asText()), x.path("kind").asText(),
                    x.path("cause").asText(), x.path("outcome").asText(), Table.text(x.path("vms")),
                    Table.text(x.path("detail"))));
            out.append("\n\n").append(r.render("no runs yet"));
        }
        return out.toString();
    }

    /** The policy file's JSON; a file that cannot be read or is no JSON object is bad input, and nothing is sent. */
    static JsonNode document(String file) throws CommandFailure {
        String what = file.equals("-") ? "stdin" : file;
        JsonNode doc;
        try (InputStream in = file.equals("-") ? System.in : Files.newInputStream(Path.of(file))) {
            doc = ApplianceClient.JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw new CommandFailure(ExitCode.USAGE, what + " is not valid JSON: " + e.getOriginalMessage() + where);
        } catch (NoSuchFileException e) {
            throw new CommandFailure(ExitCode.USAGE, "no such file: " + what);
        } catch (IOException e) {
            throw new CommandFailure(ExitCode.USAGE, "cannot read " + what + ": " + e.getMessage());
        }
        if (doc == null || !doc.isObject()) {
            throw new CommandFailure(ExitCode.USAGE, what + " holds no policy: expected a JSON object such as"
                    + " {\"name\": \"nightly\", \"selection\": {\"globs\": [\"web-*\"]}, \"cron\": \"0 30 1 * * ?\"}");
        }
        return doc;
    }

    /** Warnings of a create or update (a selection that matches no VM now) go to stderr, after the result. */
    static void warn(JsonNode saved) {
        saved.path("warnings").forEach(w -> System.err.println("lifeboat: warning: " + w.asText()));
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show a policy: its definition with the defaults spelled out, next fire times and recent runs.")
    static final class Show extends Verb {
        @Parameters(paramLabel = "NAME", description = "The policy.")
        String name;

        @Override
        void run() throws CommandFailure, InterruptedException {
            print(api().get(path(name)), PolicyCommand::text);
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create a policy from a JSON file. Every invalid field is listed, one a line, and nothing is saved.",
                    "A selection that matches no VM now is saved, with a warning."})
    static final class Create extends Verb {
        @Parameters(paramLabel = "FILE", description = FILE_HELP)
        String file;

        @Override
        void run() throws CommandFailure, InterruptedException {
            JsonNode saved = api().post(PATH, document(file));
            print(saved, p -> "created policy " + p.path("name").asText() + " (next backup: " + nextBackup(p) + ")");
            warn(saved);
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = {"Replace a policy's definition with a JSON file (the name is NAME, whatever the file says).",
                    "Every invalid field is listed, one a line, and nothing changes."})
    static final class Update extends Verb {
        @Parameters(index = "0", paramLabel = "NAME", description = "The policy.")
        String name;

        @Parameters(index = "1", paramLabel = "FILE", description = FILE_HELP)
        String file;

        @Override
        void run() throws CommandFailure, InterruptedException {
            JsonNode saved = api().put(path(name), document(file));
            print(saved, p -> "updated policy " + p.path("name").asText() + " (next backup: " + nextBackup(p) + ")");
            warn(saved);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a policy: its schedules stop; its restore points stay.")
    static final class Delete extends Verb {
        @Parameters(paramLabel = "NAME", description = "The policy.")
        String name;

        @Override
        void run() throws CommandFailure, InterruptedException {
            api().delete(path(name));
            print(ApplianceClient.JSON.createObjectNode().put("name", name).put("deleted", true),
                    x -> "deleted policy " + name);
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause a policy's schedules.")
    static final class Pause extends Verb {
        @Parameters(paramLabel = "NAME", description = "The policy.")
        String name;

        @Override
        void run() throws CommandFailure, InterruptedException {
            print(api().post(path(name) + "/pause", null), p -> "paused policy " + p.path("name").asText(name));
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Resume a policy's schedules; fire times missed while paused are not run.")
    static final class Resume extends Verb {
        @Parameters(paramLabel = "NAME", description = "The policy.")
        String name;

        @Override
        void run() throws CommandFailure, InterruptedException {
            print(api().post(path(name) + "/resume", null), p -> "resumed policy " + p.path("name").asText(name)
                    + " (next backup: " + nextBackup(p) + ")");
        }
    }

    /** The schedules a policy may have, as the API's {@code kind} parameter names them. */
    private static final List<String> KINDS = List.of("backup", "verify", "gc");

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Fire one of a policy's schedules now (a backup run now ignores the window).",
                    "Returns at once; the run shows in 'lifeboat policy show NAME'."})
    static final class RunNow extends Verb {
        @Parameters(paramLabel = "NAME", description = "The policy.")
        String name;

        @Option(names = "--kind", paramLabel = "KIND", description = "backup (default), verify or gc.")
        String kind = "backup";

        @Override
        void run() throws CommandFailure, InterruptedException {
            if (!KINDS.contains(kind)) {
                throw new CommandFailure(ExitCode.USAGE, "--kind must be backup, verify or gc, not '" + kind + "'");
            }
            print(api().post(path(name) + "/run?kind=" + kind, null),
                    r -> "asked the appliance to run the " + kind + " of policy " + name
                            + " now; see 'lifeboat policy show " + name + "'");
        }
    }

    @Command(name = "prune-preview", mixinStandardHelpOptions = true,
            description = "What retention would keep and remove now, and by which rule; removes nothing.")
    static final class PrunePreview extends Verb {
        @Parameters(paramLabel = "NAME", description = "The policy.")
        String name;

        @Override
        void run() throws CommandFailure, InterruptedException {
            print(api().get(path(name) + "/prune-preview"), PrunePreview::text);
        }

        static String text(JsonNode entries) {
            Table t = new Table("RESTORE POINT", "KEEP/REMOVE", "RULE");
            entries.forEach(e -> t.row(e.path("restorePoint").asText(), e.path("keep").asBoolean() ? "keep" : "remove",
                    e.path("reason").asText()));
            return t.render("no restore points");
        }
    }
}
