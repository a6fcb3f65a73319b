package io.lifeboat.restore.runbook;

import java.io.StringReader;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.lifeboat.restore.runbook.Runbook.Check;
import io.lifeboat.restore.runbook.Runbook.Drill;
import io.lifeboat.restore.runbook.Runbook.Group;
import io.lifeboat.restore.runbook.Runbook.Hook;
import io.lifeboat.restore.runbook.Runbook.Mode;
import io.lifeboat.restore.runbook.Runbook.PointChoice;
import io.lifeboat.restore.runbook.Runbook.Primary;
import io.lifeboat.restore.runbook.Runbook.Vm;
import io.lifeboat.scheduler.policy.CronSchedule;
import io.lifeboat.store.manifest.RestorePointId;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a runbook's YAML (docs/runbooks.md) into a {@link Runbook}, checking everything before
 * anything could start: unknown or repeated keys, wrong types, bad names, durations, sizes and
 * times, a VM in two groups, {@code after} naming a group that does not exist or making a cycle,
 * and (when the caller knows them) VMs without restore points. Every problem found is reported at
 * once, each with its line and column, as a {@link RunbookException}.
 *
 * <p>The YAML is read as a node tree (SnakeYAML's composer) and never turned into objects by
 * reflection: no tags, no anchors beyond a small limit, at most {@link #MAX_BYTES}.
 */
public final class RunbookParser {

    /** A runbook larger than this is refused unread. */
    public static final int MAX_BYTES = 1 << 20;
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(KiB|MiB|GiB|TiB)?");
    private static final Set<String> TOP = Set.of("runbook", "description", "primary", "defaults", "pre", "post", "groups",
            "drill");
    private static final Set<String> GROUP = Set.of("name", "after", "wait", "approval", "vms");
    private static final Set<String> VM_SETTINGS = Set.of("point", "mode", "target", "directory", "pool", "networks",
            "identity", "vcpus", "memory", "checks");
    private static final Set<String> VM = union(VM_SETTINGS, Set.of("vm", "name"));
    private static final Pattern DOMAIN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final List<RunbookException.Problem> problems = new ArrayList<>();

    private RunbookParser() {
    }

    /** Parses without knowing which VMs exist. */
    public static Runbook parse(String yaml) throws RunbookException {
        return parse(yaml, null);
    }

    /**
     * Parses and checks; {@code knownVm}, when given, says whether a VM has restore points to come
     * back from (a VM it rejects is a problem at its line).
     */
    public static Runbook parse(String yaml, Predicate<String> knownVm) throws RunbookException {
        if (yaml == null || yaml.isBlank()) {
            throw new RunbookException(List.of(new RunbookException.Problem(1, 1, "the runbook is empty")));
        }
        if (yaml.length() > MAX_BYTES) {
            throw new RunbookException(List.of(new RunbookException.Problem(1, 1,
                    "the runbook is larger than " + (MAX_BYTES >> 10) + " KiB")));
        }
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(10);
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(MAX_BYTES);
        Node root;
        try {
            root = new Yaml(options).compose(new StringReader(yaml));
        } catch (MarkedYAMLException e) {
            var mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            throw new RunbookException(List.of(new RunbookException.Problem(mark == null ? 1 : mark.getLine() + 1,
                    mark == null ? 1 : mark.getColumn() + 1, "not valid YAML: " + e.getProblem())));
        } catch (YAMLException e) {
            throw new RunbookException(List.of(new RunbookException.Problem(1, 1, "not valid YAML: " + e.getMessage())));
        }
        RunbookParser p = new RunbookParser();
        Runbook runbook = p.runbook(root, knownVm);
        if (!p.problems.isEmpty()) {
            throw new RunbookException(p.problems);
        }
        return runbook;
    }

    private Runbook runbook(Node root, Predicate<String> knownVm) {
        Map<String, Node> top = mapping(root, "the runbook", TOP);
        if (top == null) {
            return null;
        }
        String name = require(top, root, "runbook", "the runbook's name");
        if (name != null && !NAME.matcher(name).matches()) {
            problem(top.get("runbook"), "runbook name '" + name + "': use 1-63 lower-case letters, digits or '-', starting with"
                    + " a letter or digit");
        }
        String description = top.containsKey("description") ? scalar(top.get("description"), "description") : "";
        Map<String, Node> defaults = top.containsKey("defaults") ? mapping(top.get("defaults"), "defaults", VM_SETTINGS) : Map.of();
        List<Hook> pre = hooks(top.get("pre"), "pre");
        List<Hook> post = hooks(top.get("post"), "post");
        Primary primary = top.containsKey("primary") ? primary(top.get("primary")) : null;
        Drill drill = top.containsKey("drill") ? drill(top.get("drill")) : null;
        List<Group> groups = new ArrayList<>();
        Node groupsNode = top.get("groups");
        if (groupsNode == null) {
            problem(root, "groups is required: the boot groups, in order, each with its VMs");
        } else {
            List<Node> items = sequence(groupsNode, "groups");
            if (items != null && items.isEmpty()) {
                problem(groupsNode, "groups is empty: a runbook brings back at least one VM");
            }
            Map<String, Integer> vmLines = new HashMap<>();
            Map<String, String> vmGroups = new HashMap<>();
            // Without any after, groups run in the order listed; with after, each group waits for
            // the groups it names only.
            boolean dependencies = orEmpty(items).stream().anyMatch(n -> n instanceof MappingNode m && m.getValue().stream()
                    .anyMatch(t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("after")));
            String previous = null;
            for (Node item : orEmpty(items)) {
                Group g = group(item, defaults == null ? Map.of() : defaults, dependencies ? null : previous, vmLines, vmGroups,
                        knownVm);
                if (g != null) {
                    if (groups.stream().anyMatch(o -> o.name().equals(g.name()))) {
                        problem(item, "group " + g.name() + " is defined twice");
                    } else {
                        groups.add(g);
                    }
                    previous = g.name();
                }
            }
        }
        List<Group> ordered = runOrder(groups);
        return new Runbook(name, description, primary, ordered, pre, post, drill);
    }

    private Group group(Node node, Map<String, Node> defaults, String previous, Map<String, Integer> vmLines,
                        Map<String, String> vmGroups, Predicate<String> knownVm) {
        Map<String, Node> g = mapping(node, "a group", GROUP);
        if (g == null) {
            return null;
        }
        String name = require(g, node, "name", "the group's name");
        if (name == null) {
            return null;
        }
        if (!NAME.matcher(name).matches()) {
            problem(g.get("name"), "group name '" + name + "': use 1-63 lower-case letters, digits or '-'");
        }
        List<String> after = new ArrayList<>();
        if (g.containsKey("after")) {
            for (Node a : orEmpty(sequence(g.get("after"), "after"))) {
                String s = scalar(a, "a group name in after");
                if (s != null) {
                    after.add(s);
                }
            }
        } else if (previous != null) {
            after.add(previous);
        }
        Duration wait = g.containsKey("wait") ? duration(g.get("wait"), "wait") : Duration.ZERO;
        String approval = g.containsKey("approval") ? scalar(g.get("approval"), "approval") : null;
        List<Vm> vms = new ArrayList<>();
        Node vmsNode = g.get("vms");
        if (vmsNode == null) {
            problem(node, "group " + name + " has no vms");
        } else {
            List<Node> items = sequence(vmsNode, "vms");
            if (items != null && items.isEmpty()) {
                problem(vmsNode, "group " + name + " has no vms");
            }
            for (Node item : orEmpty(items)) {
                Vm vm = vm(item, defaults, knownVm);
                if (vm == null) {
                    continue;
                }
                Integer earlier = vmLines.putIfAbsent(vm.vm(), vm.line());
                if (earlier != null) {
                    problem(item, "VM " + vm.vm() + " is in group " + vmGroups.get(vm.vm()) + " already (line " + earlier
                            + "): a VM comes back once");
                    continue;
                }
                vmGroups.put(vm.vm(), name);
                vms.add(vm);
            }
        }
        return new Group(name, after, vms, wait, approval, line(node));
    }

    private Vm vm(Node node, Map<String, Node> defaults, Predicate<String> knownVm) {
        Map<String, Node> own = mapping(node, "a VM", VM);
        if (own == null) {
            return null;
        }
        String name = require(own, node, "vm", "the VM's name");
        if (name == null) {
            return null;
        }
        try {
            RestorePointId.validateVm(name);
        } catch (IllegalArgumentException e) {
            problem(own.get("vm"), e.getMessage());
            return null;
        }
        if (knownVm != null && !knownVm.test(name)) {
            problem(own.get("vm"), "VM " + name + " has no restore point to come back from");
        }
        String as = name;
        if (own.containsKey("name")) {
            as = scalar(own.get("name"), "name");
            if (as != null && !DOMAIN_NAME.matcher(as).matches()) {
                problem(own.get("name"), "name '" + as + "': 1-64 letters, digits, '.', '_' or '-', starting with a letter"
                        + " or digit");
            }
        }
        Map<String, Node> v = new LinkedHashMap<>(defaults);
        v.putAll(own);
        PointChoice point = v.containsKey("point") ? point(v.get("point")) : new PointChoice.NewestReplicated();
        Mode mode = Mode.INSTANT;
        if (v.containsKey("mode")) {
            String m = scalar(v.get("mode"), "mode");
            if ("instant".equals(m)) {
                mode = Mode.INSTANT;
            } else if ("restore".equals(m)) {
                mode = Mode.RESTORE;
            } else if (m != null) {
                problem(v.get("mode"), "mode '" + m + "': instant (run from the backup at once, copied in the background)"
                        + " or restore (restored whole, then started)");
            }
        }
        String target = v.containsKey("target") ? scalar(v.get("target"), "target") : null;
        if (target != null && !target.matches("[a-z+]+://.*")) {
            problem(v.get("target"), "target '" + target + "' is not a libvirt URI (qemu:///system, qemu+ssh://host/system)");
        }
        String directory = v.containsKey("directory") ? scalar(v.get("directory"), "directory") : null;
        if (directory != null && !directory.startsWith("/")) {
            problem(v.get("directory"), "directory '" + directory + "' is not an absolute path");
        }
        String pool = v.containsKey("pool") ? scalar(v.get("pool"), "pool") : null;
        if (own.containsKey("directory") && own.containsKey("pool")) {
            problem(own.get("pool"), "give directory or pool, not both");
        } else if (own.containsKey("pool")) {
            directory = null; // the VM's own pool replaces a default directory
        } else if (own.containsKey("directory")) {
            pool = null;
        }
        Map<String, String> networks = new LinkedHashMap<>();
        if (v.containsKey("networks")) {
            Map<String, Node> n = mapping(v.get("networks"), "networks", null);
            if (n != null) {
                n.forEach((from, to) -> {
                    String s = scalar(to, "the network " + from + " maps to");
                    if (s != null) {
                        networks.put(from, s);
                    }
                });
            }
        }
        boolean newIdentity = false;
        if (v.containsKey("identity")) {
            String i = scalar(v.get("identity"), "identity");
            if ("new".equals(i)) {
                newIdentity = true;
            } else if (i != null && !"keep".equals(i)) {
                problem(v.get("identity"), "identity '" + i + "': keep (the original's UUID and MACs) or new");
            }
        }
        int vcpus = v.containsKey("vcpus") ? (int) integer(v.get("vcpus"), "vcpus", 1, 4096) : 0;
        long memory = v.containsKey("memory") ? size(v.get("memory"), "memory") : 0;
        List<Check> checks = v.containsKey("checks") ? checks(v.get("checks")) : List.of();
        return new Vm(name, as, point, mode, target, directory, pool, networks, vcpus, memory, newIdentity, checks, line(node));
    }

    private Primary primary(Node node) {
        Map<String, Node> m = mapping(node, "primary", Set.of("target", "shutdown", "timeout"));
        if (m == null) {
            return null;
        }
        String target = require(m, node, "target", "the primary site's libvirt URI");
        if (target != null && !target.matches("[a-z+]+://.*")) {
            problem(m.get("target"), "target '" + target + "' is not a libvirt URI (qemu:///system, qemu+ssh://host/system)");
        }
        boolean shutdown = false;
        if (m.containsKey("shutdown")) {
            String b = scalar(m.get("shutdown"), "shutdown");
            if ("true".equals(b) || "yes".equals(b)) {
                shutdown = true;
            } else if (b != null && !"false".equals(b) && !"no".equals(b)) {
                problem(m.get("shutdown"), "shutdown '" + b + "': true (shut the primaries down that still run) or false");
            }
        }
        Duration timeout = m.containsKey("timeout") ? duration(m.get("timeout"), "timeout") : DEFAULT_TIMEOUT;
        return new Primary(target, shutdown, timeout);
    }

    /** A scheduled drill: the cron is checked by Quartz, as a backup policy's is. */
    private Drill drill(Node node) {
        Map<String, Node> m = mapping(node, "drill", Set.of("schedule", "zone", "ttl"));
        if (m == null) {
            return null;
        }
        String schedule = require(m, node, "schedule", "when the drill runs: a Quartz cron expression, e.g. 0 0 3 ? * SUN");
        ZoneId zone = ZoneOffset.UTC;
        if (m.containsKey("zone")) {
            String z = scalar(m.get("zone"), "zone");
            try {
                zone = ZoneId.of(z == null ? "" : z);
            } catch (DateTimeException e) {
                problem(m.get("zone"), "unknown time zone '" + z + "': use a region such as Europe/Berlin, or UTC");
            }
        }
        if (schedule != null) {
            Optional<String> bad = CronSchedule.problemWith(schedule);
            if (bad.isPresent()) {
                problem(m.get("schedule"), "schedule: " + bad.get());
            } else if (new CronSchedule(schedule, zone).nextFireTimes(1, Instant.now()).isEmpty()) {
                problem(m.get("schedule"), "schedule '" + schedule + "' never fires again");
            }
        }
        Duration ttl = null;
        if (!m.containsKey("ttl")) {
            problem(node, "ttl is required (how long a drill's VMs stay before they are cleaned up, e.g. 2h)");
        } else {
            ttl = duration(m.get("ttl"), "ttl");
            if (ttl.isZero()) {
                problem(m.get("ttl"), "ttl must be longer than 0");
            }
        }
        return schedule == null || ttl == null ? null : new Drill(schedule, zone, ttl);
    }

    private PointChoice point(Node node) {
        if (node instanceof ScalarNode s) {
            return switch (s.getValue()) {
                case "newest-replicated" -> new PointChoice.NewestReplicated();
                case "newest" -> new PointChoice.Newest();
                default -> {
                    problem(node, "point '" + s.getValue() + "': newest-replicated, newest, {before: <ISO time>} or"
                            + " {time: <restore point time, e.g. 20261207T175904.569Z>}");
                    yield new PointChoice.NewestReplicated();
                }
            };
        }
        Map<String, Node> m = mapping(node, "point", Set.of("before", "time"));
        if (m == null || m.size() != 1) {
            if (m != null) {
                problem(node, "point takes one of before or time");
            }
            return new PointChoice.NewestReplicated();
        }
        if (m.containsKey("before")) {
            String t = scalar(m.get("before"), "before");
            try {
                return new PointChoice.Before(Instant.parse(t));
            } catch (DateTimeParseException | NullPointerException e) {
                problem(m.get("before"), "before '" + t + "' is not an ISO-8601 time (2026-12-01T00:00:00Z)");
                return new PointChoice.NewestReplicated();
            }
        }
        String t = scalar(m.get("time"), "time");
        try {
            return new PointChoice.Named(RestorePointId.parse("vm/" + t).time());
        } catch (IllegalArgumentException | NullPointerException e) {
            problem(m.get("time"), "time '" + t + "' is not a restore point's time (20261207T175904.569Z)");
            return new PointChoice.NewestReplicated();
        }
    }

    private List<Check> checks(Node node) {
        List<Check> checks = new ArrayList<>();
        for (Node item : orEmpty(sequence(node, "checks"))) {
            Map<String, Node> m = mapping(item, "a check", Set.of("running", "agent", "tcp", "http", "command"));
            if (m == null) {
                continue;
            }
            if (m.size() != 1) {
                problem(item, "a check is one of running, agent, tcp, http or command");
                continue;
            }
            var e = m.entrySet().iterator().next();
            Node args = e.getValue();
            Map<String, Node> a = args instanceof ScalarNode s && (s.getValue().isEmpty() || s.getValue().equals("null"))
                    ? Map.of() : mapping(args, "the " + e.getKey() + " check", switch (e.getKey()) {
                        case "tcp" -> Set.of("port", "timeout");
                        case "http" -> Set.of("port", "path", "status", "timeout");
                        case "command" -> Set.of("run", "timeout");
                        default -> Set.of("timeout");
                    });
            if (a == null) {
                continue;
            }
            Duration timeout = a.containsKey("timeout") ? duration(a.get("timeout"), "timeout") : DEFAULT_TIMEOUT;
            switch (e.getKey()) {
                case "running" -> checks.add(new Check.Running(timeout));
                case "agent" -> checks.add(new Check.AgentPing(timeout));
                case "tcp" -> {
                    if (!a.containsKey("port")) {
                        problem(item, "a tcp check needs a port");
                    } else {
                        checks.add(new Check.Tcp((int) integer(a.get("port"), "port", 1, 65535), timeout));
                    }
                }
                case "http" -> {
                    int port = a.containsKey("port") ? (int) integer(a.get("port"), "port", 1, 65535) : 80;
                    String path = a.containsKey("path") ? scalar(a.get("path"), "path") : "/";
                    if (path != null && !path.startsWith("/")) {
                        problem(a.get("path"), "path '" + path + "' must start with /");
                    }
                    int status = a.containsKey("status") ? (int) integer(a.get("status"), "status", 100, 599) : 200;
                    checks.add(new Check.Http(port, path, status, timeout));
                }
                default -> {
                    List<String> argv = argv(a.get("run"), item, "a command check");
                    if (argv != null) {
                        checks.add(new Check.Command(argv, timeout));
                    }
                }
            }
        }
        return checks;
    }

    private List<Hook> hooks(Node node, String what) {
        if (node == null) {
            return List.of();
        }
        List<Hook> hooks = new ArrayList<>();
        for (Node item : orEmpty(sequence(node, what))) {
            Map<String, Node> m = mapping(item, "a " + what + " hook", Set.of("run", "timeout"));
            if (m == null) {
                continue;
            }
            List<String> argv = argv(m.get("run"), item, "a hook");
            Duration timeout = m.containsKey("timeout") ? duration(m.get("timeout"), "timeout") : DEFAULT_TIMEOUT;
            if (argv != null) {
                hooks.add(new Hook(argv, timeout));
            }
        }
        return hooks;
    }

    /** A command as a list of arguments: no shell parses it. */
    private List<String> argv(Node node, Node owner, String what) {
        if (node == null) {
            problem(owner, what + " needs run: the program and its arguments, as a list");
            return null;
        }
        if (!(node instanceof SequenceNode)) {
            problem(node, "run must be a list (the program, then each argument), e.g. [/usr/bin/systemctl, is-active, nginx]");
            return null;
        }
        List<String> argv = new ArrayList<>();
        for (Node a : orEmpty(sequence(node, "run"))) {
            String s = scalar(a, "an argument");
            if (s != null) {
                argv.add(s);
            }
        }
        if (argv.isEmpty()) {
            problem(node, "run is empty");
            return null;
        }
        return argv;
    }

    /**
     * The groups in run order: each after every group it waits for, otherwise in the order listed.
     * A name that is no group, or a cycle, is a problem.
     */
    private List<Group> runOrder(List<Group> groups) {
        Map<String, Group> byName = new LinkedHashMap<>();
        groups.forEach(g -> byName.put(g.name(), g));
        for (Group g : groups) {
            for (String a : g.after()) {
                if (!byName.containsKey(a)) {
                    problems.add(new RunbookException.Problem(g.line(), 1, "group " + g.name() + " comes after " + a
                            + ", which is no group of this runbook"));
                } else if (a.equals(g.name())) {
                    problems.add(new RunbookException.Problem(g.line(), 1, "group " + g.name() + " comes after itself"));
                }
            }
        }
        List<Group> ordered = new ArrayList<>();
        Set<String> done = new LinkedHashSet<>();
        Set<String> visiting = new LinkedHashSet<>();
        for (Group g : groups) {
            visit(g, byName, done, visiting, ordered);
        }
        return ordered;
    }

    private boolean visit(Group g, Map<String, Group> byName, Set<String> done, Set<String> visiting, List<Group> ordered) {
        if (done.contains(g.name())) {
            return true;
        }
        if (!visiting.add(g.name())) {
            List<String> cycle = new ArrayList<>(visiting);
            cycle = cycle.subList(cycle.indexOf(g.name()), cycle.size());
            problems.add(new RunbookException.Problem(g.line(), 1, "groups " + String.join(" → ", cycle) + " → " + g.name()
                    + " wait for each other: a cycle in after"));
            return false;
        }
        boolean ok = true;
        for (String a : g.after()) {
            Group before = byName.get(a);
            if (before != null && !a.equals(g.name())) {
                ok &= visit(before, byName, done, visiting, ordered);
                if (!ok) {
                    break;
                }
            }
        }
        visiting.remove(g.name());
        done.add(g.name());
        ordered.add(g);
        return ok;
    }

    // ------------------------------------------------------------------------------------------
    // Typed reads of nodes, recording a problem (and answering null) when the node is not right

    private Map<String, Node> mapping(Node node, String what, Set<String> allowed) {
        if (!(node instanceof MappingNode m)) {
            problem(node, what + " must be a mapping (key: value)");
            return null;
        }
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                problem(t.getKeyNode(), "a key of " + what + " must be a plain word");
                continue;
            }
            String key = k.getValue();
            if (allowed != null && !allowed.contains(key)) {
                problem(k, "unknown key " + key + " in " + what + " (known: " + String.join(", ", allowed.stream().sorted().toList())
                        + ")");
                continue;
            }
            if (out.putIfAbsent(key, t.getValueNode()) != null) {
                problem(k, key + " is given twice in " + what);
            }
        }
        return out;
    }

    private List<Node> sequence(Node node, String what) {
        if (!(node instanceof SequenceNode s)) {
            problem(node, what + " must be a list");
            return null;
        }
        return s.getValue();
    }

    private String scalar(Node node, String what) {
        if (!(node instanceof ScalarNode s)) {
            problem(node, what + " must be a single value, not a list or mapping");
            return null;
        }
        return s.getValue();
    }

    private String require(Map<String, Node> m, Node owner, String key, String what) {
        Node n = m.get(key);
        if (n == null) {
            problem(owner, key + " is required (" + what + ")");
            return null;
        }
        String s = scalar(n, key);
        if (s != null && s.isBlank()) {
            problem(n, key + " is empty (" + what + ")");
            return null;
        }
        return s;
    }

    private long integer(Node node, String what, long min, long max) {
        String s = scalar(node, what);
        if (s == null) {
            return min;
        }
        try {
            long v = Long.parseLong(s);
            if (v < min || v > max) {
                problem(node, what + " " + v + " is outside " + min + ".." + max);
                return min;
            }
            return v;
        } catch (NumberFormatException e) {
            problem(node, what + " '" + s + "' is not a whole number");
            return min;
        }
    }

    private Duration duration(Node node, String what) {
        String s = scalar(node, what);
        if (s == null) {
            return DEFAULT_TIMEOUT;
        }
        try {
            return Durations.parse(s);
        } catch (IllegalArgumentException e) {
            problem(node, what + " " + e.getMessage());
            return DEFAULT_TIMEOUT;
        }
    }


    private long size(Node node, String what) {
        String s = scalar(node, what);
        if (s == null) {
            return 0;
        }
        Matcher m = SIZE.matcher(s.strip());
        if (!m.matches()) {
            problem(node, what + " '" + s + "' is not a size (2GiB, 512MiB, or bytes)");
            return 0;
        }
        long n = Long.parseLong(m.group(1));
        int shift = m.group(2) == null ? 0 : switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "KIB" -> 10;
            case "MIB" -> 20;
            case "GIB" -> 30;
            default -> 40;
        };
        if (n == 0 || Long.numberOfLeadingZeros(n) <= shift) {
            problem(node, what + " '" + s + "' is out of range");
            return 0;
        }
        return n << shift;
    }

    private void problem(Node node, String message) {
        problems.add(new RunbookException.Problem(line(node), node == null ? 1 : node.getStartMark().getColumn() + 1, message));
    }

    private static int line(Node node) {
        return node == null ? 1 : node.getStartMark().getLine() + 1;
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new LinkedHashSet<>(a);
        u.addAll(b);
        return Set.copyOf(u);
    }
}
