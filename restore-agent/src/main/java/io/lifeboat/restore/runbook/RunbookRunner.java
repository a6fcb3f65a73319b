package io.lifeboat.restore.runbook;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.lifeboat.kvm.domain.DomainXml;
import io.lifeboat.restore.LibvirtHost;
import io.lifeboat.restore.NetworkMapping;
import io.lifeboat.restore.RestoreException;
import io.lifeboat.restore.RestoreMode;
import io.lifeboat.restore.RestoreRequest;
import io.lifeboat.restore.RestoreResult;
import io.lifeboat.restore.RestoreSource;
import io.lifeboat.restore.VmRestore;
import io.lifeboat.restore.instant.InstantRecovery;
import io.lifeboat.restore.instant.InstantSession;
import io.lifeboat.restore.instant.SessionLock;
import io.lifeboat.restore.runbook.RunRecord.Outcome;
import io.lifeboat.restore.runbook.RunRecord.Step;
import io.lifeboat.restore.runbook.RunRecord.VmRun;
import io.lifeboat.store.Progress;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.StoreException.Kind;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.Network;

/**
 * Runs DR runbooks (docs/runbooks.md): the readiness check, test failovers and failovers, each
 * recorded step by step ({@link RunRecord} in a {@link RunStore}) so that a run that halted, or
 * whose process died, is resumed from the step it did not finish, and one that is not wanted is
 * undone.
 *
 * <p>The steps, in order: a test run's isolated network; the {@code pre} hooks; per group, in the
 * runbook's order, each VM's fence (failover: the VM must not run at the primary), then all its
 * VMs started together (instant recovery, or a full restore), then all their checks, the group's
 * wait and its approval; the {@code post} hooks; last, the wait for every instant-recovered VM to
 * be copied onto its own disks and pivoted, after which the VMs no longer need this process.
 * The VMs of a test run are named {@code <name>-test-<run>}, get new identities and run on the
 * run's isolated network (no forward: no route to production), their disks in the run's
 * directory; cleanup (or the run's time to live) removes all of it.
 *
 * <p>A failback ({@link Failback}) brings the VMs a failover recovered home to the primary, with
 * what they wrote meanwhile; it needs {@link FailbackBackups}, which the appliance gives.
 *
 * <p>One process at a time runs a run (its lock); the others are refused.
 */
public final class RunbookRunner implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RunbookRunner.class.getName());
    private static final int UNDEFINE_ALL = 1 | 2 | 4 | 16; // managed save, snapshot and checkpoint metadata, nvram
    private static final Pattern NETWORK_IP = Pattern.compile("<ip[^>]*address='([0-9.]+)'");

    /**
     * Where this runner brings VMs back unless a runbook says otherwise.
     *
     * @param defaultTarget libvirt URI of VMs without {@code target}
     * @param images        disk images of VMs without {@code directory} or {@code pool}
     * @param runs          where runs are kept (a test run's images go in its directory there)
     */
    public record Site(String defaultTarget, Path images, Path runs) {
    }

    /**
     * How to run.
     *
     * @param ttl         a test run is removed this long after it started (null: only on demand)
     * @param primaryLost a failover goes on when the primary does not answer: the operator says it is lost
     * @param approve     groups whose approval is given
     */
    public record Options(Duration ttl, boolean primaryLost, Set<String> approve) {
        public Options {
            approve = approve == null ? Set.of() : Set.copyOf(approve);
        }

        public static Options none() {
            return new Options(null, false, Set.of());
        }
    }

    /** A step that did not pass: the run halts at it. */
    static final class Halt extends Exception {
        Halt(String message) {
            super(message);
        }
    }

    /** A group's approval not given yet: the run waits for it. */
    private static final class AwaitApproval extends Exception {
        AwaitApproval(String question) {
            super(question);
        }
    }

    private final RestoreSource source;
    private final InstantRecovery recovery;
    private final RunStore runs;
    private final Site site;
    private final PointResolver points;
    private final GuestChecks checks = new GuestChecks();
    private final Failback failback;
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "runbook-worker");
        t.setDaemon(true);
        return t;
    });
    /** Background copies this process runs, by session. */
    private final Map<String, Future<?>> copies = new ConcurrentHashMap<>();
    /** Locks of the runs this process runs. */
    private final Map<String, SessionLock> held = new ConcurrentHashMap<>();

    /**
     * @param replicated which restore points of a local store are in the bucket (null: not known);
     *                   ignored for a bucket source, whose every restore point is
     */
    public RunbookRunner(RestoreSource source, InstantRecovery recovery, RunStore runs, Site site,
                         Predicate<RestorePointId> replicated) {
        this(source, recovery, runs, site, replicated, null);
    }

    /**
     * @param replicated as above
     * @param backups    backs up recovered VMs into {@code source}'s store, for failbacks (null:
     *                   this runner runs none)
     */
    public RunbookRunner(RestoreSource source, InstantRecovery recovery, RunStore runs, Site site,
                         Predicate<RestorePointId> replicated, FailbackBackups backups) {
        this.failback = new Failback(source, runs, site, backups);
        this.source = source;
        this.recovery = recovery;
        this.runs = runs;
        this.site = site;
        this.points = new PointResolver(source.fromBucket() ? p -> true : replicated);
    }

    public RunStore runs() {
        return runs;
    }

    /** The readiness check: a report, nothing started. */
    public Readiness readiness(Runbook rb, RunRecord.Kind kind) throws StoreException {
        if (kind == RunRecord.Kind.FAILBACK) {
            throw RestoreException.badInput("the readiness check is for test runs and failovers; a failback checks"
                    + " each VM at its own steps and halts at the first that is not ready");
        }
        return Readiness.check(rb, kind, source, points, site);
    }

    /** Starts a run of {@code rb} (parsed from {@code yaml}) and runs it as far as it goes. */
    public RunRecord start(Runbook rb, String yaml, RunRecord.Kind kind, Options options) throws StoreException,
            InterruptedException {
        return resume(create(rb, yaml, kind, options).id, Options.none());
    }

    /**
     * Records a new run of {@code rb} (parsed from {@code yaml}), every step planned and none
     * started; {@link #resume} runs it.
     */
    public RunRecord create(Runbook rb, String yaml, RunRecord.Kind kind, Options options) throws StoreException {
        RunRecord run = new RunRecord();
        run.id = UUID.randomUUID().toString().substring(0, 8);
        run.runbook = rb.name();
        run.kind = kind;
        run.state = RunRecord.State.RUNNING;
        run.source = source.fromBucket() ? "bucket" : "store";
        run.started = Instant.now().toString();
        run.primaryLost = options.primaryLost();
        run.approved.addAll(options.approve());
        if (kind == RunRecord.Kind.TEST && options.ttl() != null) {
            run.expires = Instant.parse(run.started).plus(options.ttl()).toString();
        }
        run.steps.addAll(plan(rb, kind));
        runs.create(run.id, yaml);
        runs.write(run);
        return run;
    }

    /**
     * After this process started: every run that was RUNNING in a process that is gone halts
     * (resume it, or cancel it), and the VMs that runs not yet done started by instant recovery
     * are served again, their copies started again, so that they keep running. Runs another
     * process holds are left to it.
     */
    public List<RunRecord> reattachAll() throws StoreException, InterruptedException {
        List<RunRecord> out = new ArrayList<>();
        for (RunRecord r : runs.list()) {
            if (r.finished() || r.state == RunRecord.State.DONE) {
                continue;
            }
            try {
                hold(r.id);
            } catch (RestoreException e) {
                if (e.kind() == Kind.CONFLICT) {
                    continue;
                }
                throw e;
            }
            try {
                RunRecord run = runs.read(r.id);
                if (run.state == RunRecord.State.RUNNING) {
                    String at = run.steps.stream().filter(s -> s.started != null && s.outcome == null).map(s -> s.id)
                            .findFirst().orElse("its next step");
                    run.state = RunRecord.State.HALTED;
                    run.error = "interrupted at " + at + ": the process that ran it stopped; resume it, or cancel it";
                    runs.write(run);
                }
                reattach(run);
                out.add(run);
            } finally {
                release(r.id);
            }
        }
        return out;
    }

    /**
     * Goes on with a halted, waiting or interrupted run from the first step that did not pass,
     * with {@code options}' approvals added (and, given there, the primary declared lost).
     * First serves again what an interrupted process served: the VMs it started keep running.
     */
    public RunRecord resume(String id, Options options) throws StoreException, InterruptedException {
        hold(id);
        try {
            RunRecord run = runs.read(id);
            if (run.state == RunRecord.State.DONE || run.finished()) {
                throw RestoreException.conflict("run " + id + " is " + run.state + "; there is nothing to resume");
            }
            Runbook rb = RunbookParser.parse(runs.yaml(id), null);
            run.approved.addAll(options.approve().stream().filter(g -> !run.approved.contains(g)).toList());
            run.primaryLost |= options.primaryLost();
            run.state = RunRecord.State.RUNNING;
            run.error = null;
            runs.write(run);
            reattach(run);
            return execute(run, rb);
        } finally {
            release(id);
        }
    }

    /**
     * Undoes a run: every VM it started is destroyed and undefined with its disks and its instant
     * recovery session, the primaries it shut down are started again, a test run's network goes.
     */
    public RunRecord cancel(String id) throws StoreException, InterruptedException {
        return remove(id, RunRecord.State.CANCELLED);
    }

    /** Removes what a test run made (its VMs, their disks, its network), leaving its record and report. */
    public RunRecord cleanup(String id) throws StoreException, InterruptedException {
        RunRecord run = runs.read(id);
        if (run.kind != RunRecord.Kind.TEST) {
            throw RestoreException.badInput("run " + id + " is a failover: its VMs are production now; cancel undoes it");
        }
        return remove(id, RunRecord.State.CLEANED);
    }

    /** Cleans up every test run whose time to live has passed; those another process holds are left to it. */
    public List<RunRecord> cleanupExpired() throws StoreException, InterruptedException {
        List<RunRecord> cleaned = new ArrayList<>();
        for (RunRecord r : runs.list()) {
            if (r.expired(Instant.now())) {
                try {
                    cleaned.add(cleanup(r.id));
                } catch (RestoreException e) {
                    if (e.kind() != Kind.CONFLICT) {
                        throw e;
                    }
                    LOG.log(System.Logger.Level.INFO, "run " + r.id + " expired but is held: " + e.getMessage());
                }
            }
        }
        return cleaned;
    }

    /** Waits for the background copies this process runs (until they end, each its VM pivoted or failed). */
    public void awaitCopies() throws InterruptedException {
        for (Future<?> f : List.copyOf(copies.values())) {
            try {
                f.get();
            } catch (ExecutionException e) {
                // recorded by the copy's own step
            }
        }
    }

    @Override
    public void close() {
        workers.shutdownNow();
        held.values().forEach(SessionLock::close);
    }

    // --- the plan ---

    static List<Step> plan(Runbook rb, RunRecord.Kind kind) {
        if (kind == RunRecord.Kind.FAILBACK) {
            return Failback.plan(rb);
        }
        List<Step> steps = new ArrayList<>();
        if (kind == RunRecord.Kind.TEST) {
            steps.add(new Step("network", "network", null, null));
        }
        for (int i = 0; i < rb.pre().size(); i++) {
            steps.add(new Step("pre:" + (i + 1), "hook", null, null));
        }
        for (Runbook.Group g : rb.groups()) {
            if (kind == RunRecord.Kind.FAILOVER) {
                g.vms().forEach(v -> steps.add(new Step("fence:" + v.vm(), "fence", g.name(), v.vm())));
            }
            g.vms().forEach(v -> steps.add(new Step("start:" + v.vm(), "start", g.name(), v.vm())));
            g.vms().forEach(v -> steps.add(new Step("checks:" + v.vm(), "checks", g.name(), v.vm())));
            if (!g.pause().isZero()) {
                steps.add(new Step("wait:" + g.name(), "wait", g.name(), null));
            }
            if (g.approval() != null) {
                steps.add(new Step("approval:" + g.name(), "approval", g.name(), null));
            }
        }
        for (int i = 0; i < rb.post().size(); i++) {
            steps.add(new Step("post:" + (i + 1), "hook", null, null));
        }
        steps.add(new Step("copy", "copy", null, null));
        return steps;
    }

    // --- running ---

    private RunRecord execute(RunRecord run, Runbook rb) throws StoreException, InterruptedException {
        List<Step> steps = run.steps;
        int i = 0;
        while (i < steps.size()) {
            Step step = steps.get(i);
            if (step.done()) {
                i++;
                continue;
            }
            // a group's starts run together, and so do its checks
            List<Step> batch = new ArrayList<>();
            for (int j = i; j < steps.size() && steps.get(j).kind.equals(step.kind) && java.util.Objects.equals(steps.get(j).group, step.group)
                    && ("start".equals(step.kind) || "checks".equals(step.kind) || j == i); j++) {
                if (!steps.get(j).done()) {
                    batch.add(steps.get(j));
                }
            }
            String now = Instant.now().toString(); // started together
            for (Step s : batch) {
                s.started = now;
                s.ended = null;
                s.outcome = null;
                s.detail = null;
                s.attempts++;
            }
            runs.write(run);
            List<Future<Exception>> results = new ArrayList<>();
            for (Step s : batch) {
                results.add(workers.submit(() -> {
                    try {
                        s.detail = perform(run, rb, s);
                        s.outcome = Outcome.OK;
                        return null;
                    } catch (Halt | AwaitApproval e) {
                        s.detail = e.getMessage();
                        return e;
                    } catch (StoreException | RuntimeException e) {
                        s.detail = e.getMessage();
                        return e;
                    } finally {
                        s.ended = Instant.now().toString();
                    }
                }));
            }
            Exception first = null;
            boolean awaiting = false;
            for (Future<Exception> f : results) {
                Exception e;
                try {
                    e = f.get();
                } catch (ExecutionException ee) {
                    e = ee.getCause() instanceof Exception x ? x : new RuntimeException(ee.getCause());
                }
                if (e instanceof AwaitApproval) {
                    awaiting = true;
                } else if (e != null && first == null) {
                    first = e;
                }
            }
            for (Step s : batch) {
                if (s.outcome == null && !"approval".equals(s.kind)) {
                    s.outcome = Outcome.FAILED;
                }
            }
            if (awaiting) {
                Step s = batch.get(0);
                s.ended = null;
                run.state = RunRecord.State.WAITING_APPROVAL;
                run.error = (s.group != null ? "waiting for the approval of group " + s.group
                        : "waiting for the approval of the " + Failback.CUTOVER) + ": " + s.detail;
                runs.write(run);
                return run;
            }
            if (first != null) {
                Step failed = batch.stream().filter(s -> s.outcome == Outcome.FAILED).findFirst().orElse(batch.get(0));
                run.state = RunRecord.State.HALTED;
                run.error = failed.id + ": " + failed.detail;
                runs.write(run);
                LOG.log(System.Logger.Level.DEBUG, "run " + run.id + " of runbook " + run.runbook + " halted at " + run.error);
                return run;
            }
            if ("checks".equals(step.kind)) {
                rto(run);
            }
            runs.write(run);
        }
        run.state = RunRecord.State.DONE;
        run.ended = Instant.now().toString();
        rto(run);
        runs.write(run);
        return run;
    }

    /** Start of the run to the moment the last VM's checks passed, once every VM's have. */
    private static void rto(RunRecord run) {
        boolean allGreen = run.steps.stream().filter(s -> "checks".equals(s.kind)).allMatch(Step::done);
        if (allGreen && run.rtoSeconds == null) {
            Optional<String> last = run.vms.stream().map(v -> v.greenAt).filter(java.util.Objects::nonNull)
                    .max(Comparator.naturalOrder());
            run.rtoSeconds = RunRecord.seconds(run.started, last.orElse(Instant.now().toString()));
            Optional<String> cutover = run.vms.stream().map(v -> v.cutoverAt).filter(java.util.Objects::nonNull)
                    .min(Comparator.naturalOrder());
            if (cutover.isPresent()) {
                run.downtimeSeconds = RunRecord.seconds(cutover.get(), last.orElse(Instant.now().toString()));
            }
        }
    }

    private String perform(RunRecord run, Runbook rb, Step step) throws Halt, AwaitApproval, StoreException,
            InterruptedException {
        switch (step.kind) {
            case "network" -> {
                return network(run, rb);
            }
            case "hook" -> {
                int n = Integer.parseInt(step.id.substring(step.id.indexOf(':') + 1));
                Runbook.Hook hook = (step.id.startsWith("pre:") ? rb.pre() : rb.post()).get(n - 1);
                return hook(run, hook);
            }
            case "fence" -> {
                return fence(run, rb, vm(rb, step.vm));
            }
            case "start" -> {
                return run.kind == RunRecord.Kind.FAILBACK ? failback.startOriginal(run, vm(rb, step.vm))
                        : startVm(run, rb, vm(rb, step.vm), step.group);
            }
            case "sync" -> {
                return failback.sync(run, rb, vm(rb, step.vm), step.group);
            }
            case "restore" -> {
                return failback.restore(run, vm(rb, step.vm));
            }
            case "shutdown" -> {
                return failback.shutdown(run, rb, vm(rb, step.vm));
            }
            case "final" -> {
                return failback.finalBackup(run, vm(rb, step.vm));
            }
            case "apply" -> {
                return failback.apply(run, vm(rb, step.vm));
            }
            case "checks" -> {
                return checkVm(run, vm(rb, step.vm));
            }
            case "wait" -> {
                Duration pause = group(rb, step.group).pause();
                Thread.sleep(pause.toMillis()); // the runbook's own wait between groups
                return "waited " + pause.toSeconds() + " s";
            }
            case "approval" -> {
                if (step.group == null) { // a failback's cutover
                    if (!run.approved.contains(Failback.CUTOVER)) {
                        throw new AwaitApproval(Failback.approvalQuestion());
                    }
                    return "approved: " + Failback.approvalQuestion();
                }
                Runbook.Group g = group(rb, step.group);
                if (!run.approved.contains(g.name())) {
                    throw new AwaitApproval(g.approval());
                }
                return "approved: " + g.approval();
            }
            case "copy" -> {
                return copyAll(run);
            }
            default -> throw new IllegalStateException("unknown step " + step.kind);
        }
    }

    private static Runbook.Vm vm(Runbook rb, String name) {
        return rb.vms().stream().filter(v -> v.vm().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("the runbook has no VM " + name));
    }

    private static Runbook.Group group(Runbook rb, String name) {
        return rb.groups().stream().filter(g -> g.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("the runbook has no group " + name));
    }

    private String hook(RunRecord run, Runbook.Hook hook) throws Halt, InterruptedException {
        Path out = runs.dir(run.id).resolve("hook-" + UUID.randomUUID().toString().substring(0, 8) + ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(hook.argv()).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().put("LIFEBOAT_RUN", run.id);
            pb.environment().put("LIFEBOAT_RUN_KIND", run.kind.name().toLowerCase(java.util.Locale.ROOT));
            pb.environment().put("LIFEBOAT_RUNBOOK", run.runbook);
            Process p = pb.start();
            if (!p.waitFor(hook.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new Halt(hook.argv().get(0) + " did not end within " + hook.timeout().toSeconds() + " s");
            }
            String text = tail(Files.readString(out, StandardCharsets.UTF_8));
            if (p.exitValue() != 0) {
                throw new Halt(hook.argv().get(0) + " exited " + p.exitValue() + (text.isEmpty() ? "" : ": " + text));
            }
            return "exited 0" + (text.isEmpty() ? "" : ": " + text);
        } catch (IOException e) {
            throw new Halt("cannot run " + hook.argv().get(0) + ": " + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(out);
            } catch (IOException ignored) {
                // a log file left in the run's directory
            }
        }
    }

    private static String tail(String text) {
        String t = text.strip();
        return t.length() <= 500 ? t : "…" + t.substring(t.length() - 500);
    }

    // --- network ---

    /** A test run's network: isolated (no forward element, so no route out), DHCP on a free /24. */
    private String network(RunRecord run, Runbook rb) throws Halt, StoreException {
        String name = "lifeboat-test-" + run.id;
        Set<String> targets = new LinkedHashSet<>();
        rb.vms().forEach(v -> targets.add(v.target() != null ? v.target() : site.defaultTarget()));
        if (targets.size() > 1) {
            throw new Halt("a test run brings its VMs back on one host; this runbook names " + targets);
        }
        String target = targets.iterator().next();
        try (LibvirtHost host = LibvirtHost.connect(target)) {
            Connect c = host.connection();
            if (networkExists(c, name)) {
                run.network = name;
                run.networkHost = target;
                return name + " exists already on " + target;
            }
            int subnet = freeSubnet(c);
            String xml = "<network><name>" + name + "</name><bridge name='lbt" + run.id + "' stp='on' delay='0'/>"
                    + "<ip address='10.254." + subnet + ".1' netmask='255.255.255.0'><dhcp><range start='10.254." + subnet
                    + ".10' end='10.254." + subnet + ".250'/></dhcp></ip></network>";
            run.network = name;
            run.networkHost = target;
            runs.write(run); // before it exists: a crash right after leaves a network the cleanup knows of
            Network n = c.networkCreateXML(xml);
            return "isolated network " + n.getName() + " (10.254." + subnet + ".0/24, no forward) on " + target;
        } catch (LibvirtException e) {
            throw new Halt("cannot create the isolated network " + name + " on " + target + ": " + e.getMessage());
        }
    }

    private static boolean networkExists(Connect c, String name) {
        try {
            c.networkLookupByName(name);
            return true;
        } catch (LibvirtException e) {
            return false;
        }
    }

    /** A third octet of 10.254.x.0/24 that no libvirt network and no interface of this host uses. */
    private static int freeSubnet(Connect c) throws LibvirtException, Halt {
        Set<String> used = new HashSet<>();
        List<String> names = new ArrayList<>(List.of(c.listNetworks()));
        names.addAll(List.of(c.listDefinedNetworks()));
        for (String n : names) {
            try {
                Matcher m = NETWORK_IP.matcher(c.networkLookupByName(n).getXMLDesc(0));
                while (m.find()) {
                    used.add(prefix(m.group(1)));
                }
            } catch (LibvirtException gone) {
                // removed meanwhile
            }
        }
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InterfaceAddress a : nic.getInterfaceAddresses()) {
                    if (a.getAddress() instanceof Inet4Address v4) {
                        used.add(prefix(v4.getHostAddress()));
                    }
                }
            }
        } catch (SocketException e) {
            throw new Halt("cannot list this host's addresses: " + e.getMessage());
        }
        for (int x = 1; x < 255; x++) {
            if (!used.contains("10.254." + x)) {
                return x;
            }
        }
        throw new Halt("no free 10.254.x.0/24 for an isolated network");
    }

    private static String prefix(String ip) {
        return ip.substring(0, ip.lastIndexOf('.'));
    }

    // --- fence ---

    /** A failover never starts a VM that still runs at the primary. */
    private String fence(RunRecord run, Runbook rb, Runbook.Vm vm) throws Halt, InterruptedException, StoreException {
        Runbook.Primary primary = rb.primary();
        if (primary == null) {
            return "no primary in the runbook: not fenced";
        }
        LibvirtHost host;
        try {
            host = LibvirtHost.connect(primary.target());
        } catch (RestoreException e) {
            if (run.primaryLost) {
                return "the primary " + primary.target() + " does not answer (" + e.getMessage()
                        + "); going on, the operator declared it lost";
            }
            throw new Halt("the primary " + primary.target() + " does not answer (" + e.getMessage() + "): if the"
                    + " primary site is lost, resume with the primary declared lost; otherwise both sites could run " + vm.vm());
        }
        try (host) {
            Optional<Domain> d = host.domain(vm.vm());
            if (d.isEmpty() || d.get().isActive() != 1) {
                return vm.vm() + " does not run at the primary";
            }
            if (!primary.shutdown()) {
                throw new Halt(vm.vm() + " still runs at the primary " + primary.target() + "; shut it down there (or"
                        + " set primary.shutdown in the runbook), then resume");
            }
            long t0 = System.nanoTime();
            d.get().shutdown();
            VmRun v = vmRun(run, vm, null);
            v.primaryShutDown = true;
            runs.write(run);
            long deadline = t0 + primary.timeout().toNanos();
            while (d.get().isActive() == 1) {
                if (System.nanoTime() > deadline) {
                    throw new Halt(vm.vm() + " did not shut down at the primary within " + primary.timeout().toSeconds()
                            + " s; stop it there, then resume");
                }
                Thread.sleep(500); // polling the domain's state until its deadline
            }
            return vm.vm() + " shut down at the primary in " + (System.nanoTime() - t0) / 1_000_000_000 + " s";
        } catch (LibvirtException e) {
            throw new Halt("cannot fence " + vm.vm() + " at the primary: " + e.getMessage());
        }
    }

    // --- start ---

    private synchronized VmRun vmRun(RunRecord run, Runbook.Vm vm, String group) {
        Optional<VmRun> existing = run.vm(vm.vm());
        if (existing.isPresent()) {
            if (group != null) {
                existing.get().group = group;
            }
            return existing.get();
        }
        VmRun v = new VmRun();
        v.vm = vm.vm();
        v.group = group;
        v.name = run.kind == RunRecord.Kind.TEST ? vm.as() + "-test-" + run.id : vm.as();
        v.target = vm.target() != null ? vm.target() : site.defaultTarget();
        v.mode = vm.mode().name().toLowerCase(java.util.Locale.ROOT);
        run.vms.add(v);
        return v;
    }

    private String startVm(RunRecord run, Runbook rb, Runbook.Vm vm, String group) throws Halt, StoreException,
            InterruptedException {
        VmRun v;
        synchronized (this) {
            v = vmRun(run, vm, group);
        }
        Optional<RestorePointId> point = points.resolve(vm, source.list());
        if (point.isEmpty()) {
            throw new Halt(points.none(vm));
        }
        Manifest m = source.manifest(point.get());
        List<?> missing = source.missingChunks(m.disks());
        if (!missing.isEmpty()) {
            throw new Halt("restore point " + point.get() + " is not whole: " + missing.size() + " chunk(s) missing");
        }
        try (LibvirtHost host = LibvirtHost.connect(v.target)) {
            Optional<LibvirtHost.ExistingVm> there = host.byName(v.name);
            if (there.isPresent()) {
                if (there.get().uuid().equals(v.uuid)) {
                    return v.name + " was started by this run already";
                }
                throw new Halt("a VM named " + v.name + " exists on " + v.target + " already; remove or rename it (name:"
                        + " in the runbook), then resume");
            }
            boolean test = run.kind == RunRecord.Kind.TEST;
            boolean newIdentity = test || vm.newIdentity();
            NetworkMapping networks = test ? NetworkMapping.none() : new NetworkMapping(vm.networks());
            String isolatedOn = test ? run.network : null;
            Path dir = test ? runs.dir(run.id).resolve("images") : Readiness.directory(vm, host, site);
            synchronized (this) {
                v.restorePoint = point.get().toString();
                v.pointTime = point.get().time().toString();
                v.rpoSeconds = Duration.between(point.get().time(), Instant.parse(run.started)).toSeconds();
                v.startedAt = Instant.now().toString();
                v.greenAt = null;
                runs.write(run);
            }
            if (vm.mode() == Runbook.Mode.INSTANT) {
                InstantSession s = recovery.start(m, source.chunks(), new InstantRecovery.Options(v.name, newIdentity, dir,
                        v.target, 64, source.fromBucket() ? 8 : 0, networks, vm.vcpus(), vm.memoryBytes(), isolatedOn));
                synchronized (this) {
                    v.session = s.id();
                    v.uuid = host.byName(v.name).map(LibvirtHost.ExistingVm::uuid).orElse(null);
                    v.files = new ArrayList<>(s.disks().stream().map(InstantSession.Disk::image).toList());
                    runs.write(run);
                }
                return v.name + " runs from " + point.get() + " (instant recovery " + s.id() + ")";
            }
            RestoreResult r = new VmRestore(source).restore(RestoreRequest.of(point.get(), dir).withUri(v.target)
                    .withName(v.name).withMode(RestoreMode.NEW_VM).withNetworks(networks).withStart(false), Progress.none());
            synchronized (this) {
                v.uuid = r.uuid();
                v.files = new ArrayList<>(r.diskFiles().values().stream().map(Path::toString).toList());
                runs.write(run);
            }
            Domain d = host.domain(v.name).orElseThrow(() -> new Halt("the restored VM " + v.name + " is not defined"));
            String xml = adjusted(d.getXMLDesc(Domain.XMLFlags.INACTIVE), m.domainXml(), vm, newIdentity, isolatedOn);
            if (xml != null) {
                if (!newIdentity) {
                    d.undefine();
                }
                d = host.connection().domainDefineXML(xml);
                synchronized (this) {
                    v.uuid = d.getUUIDString();
                    runs.write(run);
                }
            }
            d.create();
            return v.name + " restored from " + point.get() + " and started";
        } catch (LibvirtException e) {
            throw new Halt("cannot start " + v.name + " on " + v.target + ": " + e.getMessage());
        }
    }

    /** A restored VM's definition with the runbook's overrides and, to keep identity, the original's UUID and MACs; null if unchanged. */
    private static String adjusted(String inactive, String original, Runbook.Vm vm, boolean newIdentity,
                                   String isolatedOn) {
        if (vm.vcpus() == 0 && vm.memoryBytes() == 0 && newIdentity && isolatedOn == null) {
            return null;
        }
        DomainXml xml = DomainXml.parse(inactive);
        if (isolatedOn != null) {
            xml.isolateOn(isolatedOn);
        }
        if (vm.vcpus() > 0) {
            xml.setVcpus(vm.vcpus());
        }
        if (vm.memoryBytes() > 0) {
            xml.setMemory(vm.memoryBytes());
        }
        if (!newIdentity) {
            DomainXml orig = DomainXml.parse(original);
            if (orig.uuid() != null) {
                xml.setUuid(UUID.fromString(orig.uuid()));
            }
            var macs = orig.macs().iterator();
            List<String> mine = xml.macs();
            var own = mine.iterator();
            xml.replaceMacs(() -> macs.hasNext() ? macs.next() : own.next());
        }
        return xml.toXml();
    }

    // --- checks and copies ---

    private String checkVm(RunRecord run, Runbook.Vm vm) throws Halt, StoreException, InterruptedException {
        VmRun v = run.vm(vm.vm()).orElseThrow(() -> new Halt(vm.vm() + " was not started"));
        List<String> passed = new ArrayList<>();
        try (LibvirtHost host = LibvirtHost.connect(v.target)) {
            Domain d = host.domain(v.name).orElseThrow(() -> new Halt(v.name + " is not on " + v.target));
            for (Runbook.Check c : vm.checks()) {
                try {
                    passed.add(GuestChecks.describe(c) + ": " + checks.run(d, c));
                } catch (GuestChecks.Failed e) {
                    throw new Halt(v.name + ": " + e.getMessage());
                }
            }
        }
        synchronized (this) {
            v.greenAt = Instant.now().toString();
            runs.write(run);
        }
        copyInBackground(run, v);
        return passed.isEmpty() ? "no checks" : String.join("; ", passed);
    }

    private void copyInBackground(RunRecord run, VmRun v) {
        if (v.session == null) {
            return;
        }
        copies.computeIfAbsent(v.session, id -> workers.submit(() -> {
            try {
                InstantSession s = recovery.session(id);
                if (s.state() != InstantSession.State.PIVOTED) {
                    recovery.copyAndPivot(id, 0, Progress.none());
                }
            } catch (StoreException e) {
                LOG.log(System.Logger.Level.WARNING, "run " + run.id + ": the copy of " + v.name + " failed: " + e.getMessage());
                throw e;
            }
            return null;
        }));
    }

    private String copyAll(RunRecord run) throws Halt, InterruptedException, StoreException {
        List<String> failed = new ArrayList<>();
        int pivoted = 0;
        for (VmRun v : run.vms) {
            if (v.session == null) {
                continue;
            }
            copyInBackground(run, v);
            try {
                copies.get(v.session).get();
                pivoted++;
            } catch (ExecutionException e) {
                failed.add(v.name + ": " + e.getCause().getMessage());
            } finally {
                copies.remove(v.session);
            }
        }
        if (!failed.isEmpty()) {
            throw new Halt("copying onto their own disks failed: " + String.join("; ", failed) + "; resume to try again");
        }
        return pivoted == 0 ? "no instant recoveries" : pivoted + " VM(s) on their own disks";
    }

    /** After another process ran it: serves again the sessions of VMs it started and not yet pivoted. */
    private void reattach(RunRecord run) throws StoreException, InterruptedException {
        for (VmRun v : run.vms) {
            if (v.session == null || v.restorePoint == null) {
                continue;
            }
            InstantSession s;
            try {
                s = recovery.session(v.session);
            } catch (RestoreException e) {
                if (e.kind() == Kind.NOT_FOUND) {
                    continue;
                }
                throw e;
            }
            if (s.state() == InstantSession.State.PIVOTED) {
                continue;
            }
            Manifest m = source.manifest(RestorePointId.parse(v.restorePoint));
            recovery.resume(v.session, m, source.chunks(), 64, source.fromBucket() ? 8 : 0);
            if (v.greenAt != null) {
                copyInBackground(run, v);
            }
        }
    }

    // --- undo ---

    private RunRecord remove(String id, RunRecord.State to) throws StoreException, InterruptedException {
        hold(id);
        try {
            RunRecord run = runs.read(id);
            if (run.state == RunRecord.State.CLEANED || run.state == RunRecord.State.CANCELLED) {
                return run;
            }
            for (VmRun v : run.vms) {
                Future<?> copy = v.session == null ? null : copies.remove(v.session);
                if (copy != null) {
                    try {
                        copy.get();
                    } catch (ExecutionException ignored) {
                        // removed below either way
                    }
                }
            }
            List<String> problems = new ArrayList<>();
            List<VmRun> reversed = new ArrayList<>(run.vms);
            Collections.reverse(reversed);
            if (run.kind == RunRecord.Kind.FAILBACK) {
                failback.undo(run, problems);
                reversed.clear(); // the originals and their disks stay: nothing of theirs is removed
            }
            for (VmRun v : reversed) {
                try {
                    removeVm(v);
                    if (v.primaryShutDown && to == RunRecord.State.CANCELLED) {
                        startPrimary(RunbookParser.parse(runs.yaml(id), null).primary(), v);
                        v.primaryShutDown = false;
                    }
                } catch (StoreException | LibvirtException e) {
                    problems.add(v.name + ": " + e.getMessage());
                }
                runs.write(run);
            }
            if (run.network != null) {
                try (LibvirtHost host = LibvirtHost.connect(run.networkHost)) {
                    if (networkExists(host.connection(), run.network)) {
                        Network n = host.connection().networkLookupByName(run.network);
                        boolean persistent = n.isPersistent() == 1;
                        if (n.isActive() == 1) {
                            n.destroy();
                        }
                        if (persistent) {
                            n.undefine();
                        }
                    }
                } catch (StoreException | LibvirtException e) {
                    problems.add("network " + run.network + ": " + e.getMessage());
                }
            }
            deleteTree(runs.dir(id).resolve("images"));
            if (!problems.isEmpty()) {
                run.error = "could not remove everything: " + String.join("; ", problems);
                runs.write(run);
                throw new RestoreException(Kind.IO, "run " + id + ": " + run.error + "; try again");
            }
            run.state = to;
            run.error = null;
            run.ended = Instant.now().toString();
            Step removal = new Step(to == RunRecord.State.CLEANED ? "cleanup" : "undo", to == RunRecord.State.CLEANED
                    ? "cleanup" : "undo", null, null);
            removal.started = removal.ended = run.ended;
            removal.outcome = Outcome.OK;
            removal.attempts = 1;
            removal.detail = run.kind == RunRecord.Kind.FAILBACK
                    ? "the originals stopped, " + run.vms.size() + " recovered VM(s) running again where they were recovered"
                    : run.vms.size() + " VM(s) removed" + (run.network != null ? ", network " + run.network + " removed" : "");
            run.steps.add(removal);
            runs.write(run);
            return run;
        } finally {
            release(id);
        }
    }

    /** Removes one VM the run started: its instant recovery (VM, export, overlays), its domain, its disk files. */
    private void removeVm(VmRun v) throws StoreException, LibvirtException {
        if (v.session != null) {
            try {
                InstantSession s = recovery.session(v.session);
                if (s.state() == InstantSession.State.PIVOTED || s.state() == InstantSession.State.FAILED) {
                    removeDomain(v);
                    recovery.discard(v.session);
                } else {
                    recovery.stop(v.session);
                }
            } catch (RestoreException e) {
                if (e.kind() != Kind.NOT_FOUND) {
                    throw e;
                }
            }
        }
        removeDomain(v);
        for (String f : v.files) {
            try {
                Files.deleteIfExists(Path.of(f));
            } catch (IOException e) {
                throw new RestoreException(Kind.IO, "cannot delete " + f + ": " + e.getMessage(), e);
            }
        }
    }

    /** The run's own domain only: one of the same name with another UUID is left alone. */
    private static void removeDomain(VmRun v) throws StoreException, LibvirtException {
        if (v.uuid == null) {
            return;
        }
        try (LibvirtHost host = LibvirtHost.connect(v.target)) {
            Optional<Domain> d = host.domain(v.name);
            if (d.isPresent() && v.uuid.equals(d.get().getUUIDString())) {
                if (d.get().isActive() == 1) {
                    d.get().destroy();
                }
                d.get().undefine(UNDEFINE_ALL);
            }
        }
    }

    private static void startPrimary(Runbook.Primary primary, VmRun v) throws StoreException, LibvirtException {
        if (primary == null) {
            return;
        }
        try (LibvirtHost host = LibvirtHost.connect(primary.target())) {
            Optional<Domain> d = host.domain(v.vm);
            if (d.isPresent() && d.get().isActive() != 1) {
                d.get().create();
            }
        }
    }

    private static void deleteTree(Path dir) throws RestoreException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new RestoreException(Kind.IO, "cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }

    private void hold(String id) throws RestoreException {
        runs.read(id); // NOT_FOUND for an unknown run, before its directory is locked
        SessionLock lock = runs.lock(id);
        if (held.putIfAbsent(id, lock) != null) {
            lock.close();
            throw RestoreException.conflict("run " + id + " is being run by this process already");
        }
    }

    private void release(String id) {
        SessionLock lock = held.remove(id);
        if (lock != null) {
            lock.close();
        }
    }
}
