package io.lifeboat.restore.agent;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import io.lifeboat.cli.ConnectOption;
import io.lifeboat.cli.ExitCode;
import io.lifeboat.restore.RestoreRequest;
import io.lifeboat.restore.instant.InstantRecovery;
import io.lifeboat.restore.runbook.Durations;
import io.lifeboat.restore.runbook.Readiness;
import io.lifeboat.restore.runbook.RunRecord;
import io.lifeboat.restore.runbook.RunReport;
import io.lifeboat.restore.runbook.RunStore;
import io.lifeboat.restore.runbook.RunbookRunner;
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
 * appliance replicated to the bucket. {@code ready}, {@code test} and {@code failover} run one
 * ({@link RunbookRunner}); {@code resume}, {@code cancel}, {@code cleanup}, {@code runs} and
 * {@code report} act on its runs. Every runbook action first cleans up the test runs whose time
 * to live has passed.
 */
@Command(name = "runbook", mixinStandardHelpOptions = true,
        description = "DR runbooks (docs/runbooks.md). check FILE: read and check a runbook and print its groups in run"
                + " order, or every problem with its line (with --bucket, also that its VMs have restore points there)."
                + " list: the runbooks in the bucket. get NAME: a runbook's YAML from the bucket."
                + " ready RUNBOOK: the readiness check (nothing started). test RUNBOOK: a test failover into an isolated"
                + " network. failover RUNBOOK: the failover. resume RUN, cancel RUN (undo), cleanup RUN|--expired,"
                + " runs, report RUN. RUNBOOK is a YAML file, or with --bucket the name of one there.")
final class RunbookCommand extends RestoreAgent.Verb {

    @Parameters(index = "0", paramLabel = "ACTION",
            description = "check, list, get, ready, test, failover, resume, cancel, cleanup, runs or report")
    String action;

    @Parameters(index = "1", arity = "0..1", paramLabel = "FILE|NAME|RUN",
            description = "check: the runbook's YAML; get: its name; ready, test, failover: a YAML file or a runbook in the"
                    + " bucket; resume, cancel, cleanup, report: the run's id.")
    String argument;

    @Option(names = "--runs", paramLabel = "DIR", defaultValue = "runs",
            description = "Where runs are kept (default: ./${DEFAULT-VALUE}).")
    Path runsDir;

    @Option(names = "--work", paramLabel = "DIR", defaultValue = "instant",
            description = "Where instant recovery sessions keep their state (default: ./${DEFAULT-VALUE}; keep the path short).")
    Path work;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "images",
            description = "Disk images of VMs whose runbook gives no directory or pool (default: ./${DEFAULT-VALUE}).")
    Path images;

    @Option(names = "--ttl", paramLabel = "DURATION", description = "test: remove the run's VMs and network this long"
            + " after it started (90s, 2h); any later runbook action does it once the time has passed.")
    String ttl;

    @Option(names = "--approve", paramLabel = "GROUP", description = "failover, test, resume: give the approval of this"
            + " group (repeatable).")
    List<String> approve = new ArrayList<>();

    @Option(names = "--primary-lost", description = "failover, resume: the primary site is lost; go on when it does not"
            + " answer (otherwise the run halts rather than risk both sites running a VM).")
    boolean primaryLost;

    @Option(names = "--expired", description = "cleanup: every test run whose time to live has passed.")
    boolean expired;

    @Option(names = "--html", paramLabel = "FILE", description = "report: also write the HTML report here.")
    Path html;

    @Option(names = "--runbook-version", paramLabel = "N", description = "get: this version (default: the newest).")
    Integer version;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "get: write the YAML here (must not exist)"
            + " instead of to standard output.")
    Path output;

    @picocli.CommandLine.Mixin
    ConnectOption connect;

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
            case "ready", "test", "failover", "resume", "cancel", "cleanup", "runs", "report" -> {
                return run();
            }
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "unknown action " + action
                    + " (check, list, get, ready, test, failover, resume, cancel, cleanup, runs or report)");
        }
    }

    private int run() throws Exception {
        if (List.of("ready", "test", "failover", "resume", "cancel", "report").contains(action) && argument == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "usage: runbook " + action
                    + (List.of("ready", "test", "failover").contains(action) ? " FILE|NAME" : " RUN"));
        }
        Duration timeToLive = ttl == null ? null : Durations.parse(ttl);
        try (RestoreAgent.Source opened = open(); InstantRecovery recovery = new InstantRecovery(work);
             RunbookRunner runner = new RunbookRunner(opened.source(), recovery, new RunStore(runsDir),
                     new RunbookRunner.Site(connect.uriOr(RestoreRequest.DEFAULT_URI), images.toAbsolutePath(),
                             runsDir.toAbsolutePath()), null)) {
            for (RunRecord r : runner.cleanupExpired()) {
                System.err.println("restore-agent: test run " + r.id + " of " + r.runbook + " expired at " + r.expires
                        + "; removed its VMs and network");
            }
            RunbookRunner.Options options = new RunbookRunner.Options(timeToLive, primaryLost, Set.copyOf(approve));
            switch (action) {
                case "ready" -> {
                    Loaded l = load(argument, opened);
                    Readiness r = runner.readiness(l.runbook(), RunRecord.Kind.FAILOVER);
                    print(r, readinessText(r));
                    return r.ready() ? ExitCode.OK : ExitCode.FAILED;
                }
                case "test", "failover" -> {
                    Loaded l = load(argument, opened);
                    RunRecord run = runner.start(l.runbook(), l.yaml(), "test".equals(action) ? RunRecord.Kind.TEST
                            : RunRecord.Kind.FAILOVER, options);
                    return finish(runner, run);
                }
                case "resume" -> {
                    return finish(runner, runner.resume(argument, options));
                }
                case "cancel" -> {
                    RunRecord run = runner.cancel(argument);
                    print(RunReport.json(run), RunReport.text(run));
                    return ExitCode.OK;
                }
                case "cleanup" -> {
                    if (expired) {
                        return ExitCode.OK; // done above
                    }
                    if (argument == null) {
                        throw new CommandLine.ParameterException(spec.commandLine(), "usage: runbook cleanup RUN|--expired");
                    }
                    RunRecord run = runner.cleanup(argument);
                    print(RunReport.json(run), RunReport.text(run));
                    return ExitCode.OK;
                }
                case "runs" -> {
                    List<RunRecord> all = runner.runs().list();
                    print(all.stream().map(RunReport::json).toList(), all.isEmpty() ? "no runs in " + runsDir
                            : all.stream().map(r -> r.id + "  " + r.runbook + "  " + r.kind.name().toLowerCase(java.util.Locale.ROOT)
                                    + "  " + r.state + "  " + r.started).collect(Collectors.joining("\n")));
                    return ExitCode.OK;
                }
                default -> {
                    RunRecord run = runner.runs().read(argument);
                    if (html != null) {
                        Files.writeString(html, RunReport.html(run), StandardCharsets.UTF_8);
                    }
                    print(RunReport.json(run), RunReport.text(run));
                    return ExitCode.OK;
                }
            }
        }
    }

    /** Waits for the copies the run's VMs still need this process for, then prints the report. */
    private int finish(RunbookRunner runner, RunRecord run) throws InterruptedException {
        if (run.state != RunRecord.State.DONE) {
            if (!parent.json) {
                System.err.println("restore-agent: run " + run.id + " " + (run.state == RunRecord.State.WAITING_APPROVAL
                        ? "waits for an approval: " + run.error + "; resume it with --approve GROUP"
                        : "halted at " + run.error + "; resume it, or cancel it to undo")
                        + (run.vms.stream().anyMatch(v -> v.session != null) ? " (serving the VMs' disks until their"
                        + " copies are done)" : ""));
            }
            runner.awaitCopies();
        }
        print(RunReport.json(run), RunReport.text(run));
        return run.state == RunRecord.State.DONE ? ExitCode.OK : ExitCode.FAILED;
    }

    private record Loaded(Runbook runbook, String yaml) {
    }

    /** A runbook from a file, or from the bucket by name; checked against the restore points there. */
    private Loaded load(String fileOrName, RestoreAgent.Source opened) throws Exception {
        Path file = Path.of(fileOrName);
        String yaml;
        if (Files.isRegularFile(file)) {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } else if (opened.target() != null) {
            yaml = new BucketRunbooks(opened.target()).read(fileOrName, Optional.empty());
        } else {
            throw new CommandLine.ParameterException(spec.commandLine(), "no such file " + fileOrName
                    + " (a runbook name is looked up in the bucket: give --bucket)");
        }
        Set<String> vms = opened.source().list().stream().map(p -> p.vm()).collect(Collectors.toSet());
        return new Loaded(RunbookParser.parse(yaml, vms::contains), yaml);
    }

    private static String readinessText(Readiness r) {
        StringBuilder b = new StringBuilder(r.runbook() + ": " + (r.ready() ? "ready" : "NOT ready") + "\n");
        for (Readiness.VmReadiness v : r.vms()) {
            b.append("  ").append(v.vm()).append(" (group ").append(v.group()).append("): ")
                    .append(v.ready() ? "ready" : "NOT ready").append('\n');
            for (Readiness.Item i : v.items()) {
                b.append("    ").append(i.ok() ? "ok    " : "FAILED").append(' ').append(i.check()).append(": ")
                        .append(i.detail()).append('\n');
            }
        }
        return b.toString().stripTrailing();
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
