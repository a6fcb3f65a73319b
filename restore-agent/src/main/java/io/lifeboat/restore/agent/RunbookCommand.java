package io.lifeboat.restore.agent;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import io.lifeboat.cli.ExitCode;
import io.lifeboat.restore.runbook.BucketRunbooks;
import io.lifeboat.restore.runbook.Runbook;
import io.lifeboat.restore.runbook.RunbookException;
import io.lifeboat.restore.runbook.RunbookParser;
import io.lifeboat.store.replication.BucketReader;
import io.lifeboat.store.replication.S3Target;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code restore-agent runbook ...}: DR runbooks (docs/runbooks.md) where they will run.
 * {@code check FILE} reads and checks one (with {@code --bucket}, also that each VM has restore
 * points there) and prints its groups in run order, or every problem as
 * {@code FILE:LINE:COLUMN: message}; {@code list} and {@code get NAME} read the runbooks the
 * appliance replicated to the bucket. Nothing is started.
 */
@Command(name = "runbook", mixinStandardHelpOptions = true,
        description = "DR runbooks (docs/runbooks.md). check FILE: read and check a runbook and print its groups in run"
                + " order, or every problem with its line (with --bucket, also that its VMs have restore points there)."
                + " list: the runbooks in the bucket. get NAME: a runbook's YAML from the bucket. Nothing is started.")
final class RunbookCommand extends RestoreAgent.Verb {

    @Parameters(index = "0", paramLabel = "ACTION", description = "check, list or get")
    String action;

    @Parameters(index = "1", arity = "0..1", paramLabel = "FILE|NAME", description = "check: the runbook's YAML; get: its name.")
    String argument;

    @Option(names = "--runbook-version", paramLabel = "N", description = "get: this version (default: the newest).")
    Integer version;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "get: write the YAML here (must not exist)"
            + " instead of to standard output.")
    Path output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        switch (action) {
            case "check" -> {
                return check(Path.of(need("check FILE")));
            }
            case "list" -> {
                return list();
            }
            case "get" -> {
                return get(need("get NAME"));
            }
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "unknown action " + action
                    + " (check, list or get)");
        }
    }

    private String need(String usage) {
        if (argument == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "usage: runbook " + usage);
        }
        return argument;
    }

    private S3Target bucket(String verb) {
        S3Target target = bucketOnly();
        if (target == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "runbook " + verb + " reads the bucket: give --bucket");
        }
        return target;
    }

    private int check(Path file) throws Exception {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            System.err.println("restore-agent: no such file " + file);
            return ExitCode.NOT_FOUND;
        }
        Set<String> inBucket = null;
        try (S3Target target = bucketOnly()) {
            if (target != null) {
                inBucket = new HashSet<>(new BucketReader(target).vms());
            }
        }
        Runbook r;
        try {
            r = RunbookParser.parse(yaml, inBucket == null ? null : inBucket::contains);
        } catch (RunbookException e) {
            for (RunbookException.Problem p : e.problems()) {
                System.err.println(file + ":" + p.line() + ":" + p.column() + ": " + p.message());
            }
            return ExitCode.USAGE;
        }
        List<Map<String, Object>> groups = r.groups().stream().map(g -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", g.name());
            m.put("after", g.after());
            m.put("vms", g.vms().stream().map(Runbook.Vm::vm).toList());
            return m;
        }).toList();
        print(Map.of("runbook", r.name(), "valid", true, "groups", groups),
                r.name() + ": " + r.vms().size() + " VM(s) in " + r.groups().size() + " group(s), in this order:\n"
                        + r.groups().stream().map(g -> "  " + g.name() + ": " + g.vms().stream().map(Runbook.Vm::vm)
                                .collect(Collectors.joining(", "))).collect(Collectors.joining("\n")));
        return ExitCode.OK;
    }

    private int list() throws Exception {
        try (S3Target target = bucket("list")) {
            Map<String, List<Integer>> all = new BucketRunbooks(target).list();
            print(all, all.isEmpty() ? "no runbooks in the bucket" : all.entrySet().stream()
                    .map(e -> e.getKey() + "  version " + e.getValue().get(e.getValue().size() - 1)
                            + (e.getValue().size() > 1 ? " (" + e.getValue().size() + " versions)" : ""))
                    .collect(Collectors.joining("\n")));
            return ExitCode.OK;
        }
    }

    private int get(String name) throws Exception {
        if (output != null && Files.exists(output)) {
            System.err.println("restore-agent: " + output + " exists already; give another --output");
            return ExitCode.CONFLICT;
        }
        try (S3Target target = bucket("get")) {
            String yaml = new BucketRunbooks(target).read(name, Optional.ofNullable(version));
            if (output == null) {
                System.out.print(yaml);
            } else {
                Files.writeString(output, yaml, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW);
                print(Map.of("file", output.toAbsolutePath().toString()), "wrote " + output);
            }
            return ExitCode.OK;
        }
    }
}
