package io.lifeboat.restore.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

import io.lifeboat.restore.runbook.Runbook.Check;
import io.lifeboat.restore.runbook.Runbook.PointChoice;
import io.lifeboat.restore.runbook.RunbookException.Problem;
import io.lifeboat.store.StoreException;
import org.junit.jupiter.api.Test;

/** The runbook schema of docs/runbooks.md: what a good runbook becomes, and each bad one's message and line. */
class RunbookParserTest {

    private static final String WEB_TIER = """
            runbook: web-tier
            description: the shop, database first
            defaults:
              target: qemu:///system
              directory: /var/lib/lifeboat/recovered
              networks: {default: dr-net}
              checks:
                - running:
                - agent: {timeout: 2m}
            pre:
              - run: [/usr/local/bin/dns, prepare]
                timeout: 30s
            groups:
              - name: web
                after: [database]
                approval: Switch DNS to the recovery site?
                vms:
                  - vm: web01
                    identity: new
                    checks:
                      - http: {port: 8000, path: /health, status: 204, timeout: 90s}
                  - vm: web02
                    mode: restore
                    pool: fast
              - name: database
                after: []
                wait: 1m30s
                vms:
                  - vm: pg01
                    point: {before: "2026-12-01T00:00:00Z"}
                    vcpus: 4
                    memory: 8GiB
                    checks:
                      - tcp: {port: 5432}
                      - command: {run: [/usr/bin/pg_isready, -q], timeout: 1m}
            """;

    @Test
    void aRunbookBecomesGroupsInRunOrderWithEveryVmsSettings() throws Exception {
        Runbook r = RunbookParser.parse(WEB_TIER);
        assertThat(r.name()).isEqualTo("web-tier");
        assertThat(r.groups()).extracting(Runbook.Group::name).as("database first: web comes after it").containsExactly("database", "web");
        assertThat(r.groups().get(0).pause()).isEqualTo(Duration.ofSeconds(90));
        assertThat(r.groups().get(1).approval()).isEqualTo("Switch DNS to the recovery site?");
        assertThat(r.vms()).extracting(Runbook.Vm::vm).containsExactly("pg01", "web01", "web02");
        assertThat(r.pre()).singleElement().satisfies(h -> {
            assertThat(h.argv()).containsExactly("/usr/local/bin/dns", "prepare");
            assertThat(h.timeout()).isEqualTo(Duration.ofSeconds(30));
        });

        Runbook.Vm pg = r.vms().get(0);
        assertThat(pg.point()).isEqualTo(new PointChoice.Before(Instant.parse("2026-12-01T00:00:00Z")));
        assertThat(pg.vcpus()).isEqualTo(4);
        assertThat(pg.memoryBytes()).isEqualTo(8L << 30);
        assertThat(pg.mode()).isEqualTo(Runbook.Mode.INSTANT);
        assertThat(pg.target()).isEqualTo("qemu:///system");
        assertThat(pg.networks()).containsEntry("default", "dr-net");
        assertThat(pg.checks()).as("its own checks replace the defaults").containsExactly(
                new Check.Tcp(5432, RunbookParser.DEFAULT_TIMEOUT),
                new Check.Command(List.of("/usr/bin/pg_isready", "-q"), Duration.ofMinutes(1)));
        assertThat(pg.line()).isEqualTo(29);

        Runbook.Vm web01 = r.vms().get(1);
        assertThat(web01.point()).as("the default").isEqualTo(new PointChoice.NewestReplicated());
        assertThat(web01.newIdentity()).isTrue();
        assertThat(web01.checks()).containsExactly(new Check.Http(8000, "/health", 204, Duration.ofSeconds(90)));
        Runbook.Vm web02 = r.vms().get(2);
        assertThat(web02.mode()).isEqualTo(Runbook.Mode.RESTORE);
        assertThat(web02.pool()).isEqualTo("fast");
        assertThat(web02.directory()).as("its own pool replaces the default directory").isNull();
        assertThat(web01.directory()).isEqualTo("/var/lib/lifeboat/recovered");
        assertThat(web02.checks()).as("the defaults").containsExactly(new Check.Running(RunbookParser.DEFAULT_TIMEOUT),
                new Check.AgentPing(Duration.ofMinutes(2)));
    }

    @Test
    void groupsWithoutAfterRunInTheOrderListed() throws Exception {
        Runbook r = RunbookParser.parse("""
                runbook: three
                groups:
                  - {name: c, vms: [{vm: c1}]}
                  - {name: a, vms: [{vm: a1}, {vm: a2}]}
                  - {name: b, vms: [{vm: b1}]}
                """);
        assertThat(r.groups()).extracting(Runbook.Group::name).containsExactly("c", "a", "b");
        assertThat(r.groups().get(2).after()).containsExactly("a");
    }

    @Test
    void withAfterEachGroupWaitsOnlyForTheGroupsItNames() throws Exception {
        Runbook r = RunbookParser.parse("""
                runbook: deps
                groups:
                  - {name: web, after: [db, cache], vms: [{vm: web01}]}
                  - {name: db, vms: [{vm: pg01}]}
                  - {name: cache, vms: [{vm: redis01}]}
                  - {name: batch, after: [db], vms: [{vm: batch01}]}
                """);
        assertThat(r.groups()).extracting(Runbook.Group::name).containsExactly("db", "cache", "web", "batch");
        assertThat(r.groups().get(1).after()).as("listed after db, but waits for nothing").isEmpty();
    }

    @Test
    void malformedYamlIsRefusedAtItsLine() {
        assertThat(problems("runbook: x\ngroups:\n  - name: a\n    vms: [{vm: a1}\n"))
                .singleElement().satisfies(p -> {
                    assertThat(p.message()).startsWith("not valid YAML");
                    assertThat(p.line()).isGreaterThanOrEqualTo(4);
                });
        assertThat(problems("")).singleElement().extracting(Problem::message).isEqualTo("the runbook is empty");
        assertThat(problems("- just\n- a list\n")).singleElement().extracting(Problem::message)
                .isEqualTo("the runbook must be a mapping (key: value)");
    }

    @Test
    void everyProblemIsReportedAtOnceWithItsLine() {
        List<Problem> found = problems("""
                runbook: Web Tier
                groups:
                  - name: db
                    vms:
                      - vm: pg01
                        mode: fast
                        memory: lots
                        vcpus: 0
                        colour: blue
                        checks:
                          - tcp: {}
                          - http: {port: 70000}
                          - command: {run: "pg_isready -q"}
                          - ping: {}
                  - name: web
                    wait: soon
                    vms:
                      - vm: pg01
                      - vm: "bad name!"
                """);
        assertThat(found).extracting(Problem::line, Problem::message).contains(
                org.assertj.core.groups.Tuple.tuple(1, "runbook name 'Web Tier': use 1-63 lower-case letters, digits or '-',"
                        + " starting with a letter or digit"),
                org.assertj.core.groups.Tuple.tuple(6, "mode 'fast': instant (run from the backup at once, copied in the"
                        + " background) or restore (restored whole, then started)"),
                org.assertj.core.groups.Tuple.tuple(7, "memory 'lots' is not a size (2GiB, 512MiB, or bytes)"),
                org.assertj.core.groups.Tuple.tuple(8, "vcpus 0 is outside 1..4096"),
                org.assertj.core.groups.Tuple.tuple(11, "a tcp check needs a port"),
                org.assertj.core.groups.Tuple.tuple(12, "port 70000 is outside 1..65535"),
                org.assertj.core.groups.Tuple.tuple(16, "wait 'soon' is not a duration (90s, 5m, 1h30m)"),
                org.assertj.core.groups.Tuple.tuple(18, "VM pg01 is in group db already (line 5): a VM comes back once"));
        assertThat(found).anySatisfy(p -> {
            assertThat(p.line()).isEqualTo(9);
            assertThat(p.message()).startsWith("unknown key colour in a VM");
        });
        assertThat(found).anySatisfy(p -> {
            assertThat(p.line()).isEqualTo(13);
            assertThat(p.message()).startsWith("run must be a list");
        });
        assertThat(found).anySatisfy(p -> {
            assertThat(p.line()).isEqualTo(14);
            assertThat(p.message()).startsWith("unknown key ping in a check");
        });
        assertThat(found).anySatisfy(p -> {
            assertThat(p.line()).isEqualTo(19);
            assertThat(p.message()).contains("bad name!");
        });
        RunbookException e = catchThrowableOfType(RunbookException.class, () -> RunbookParser.parse("runbook: x\n"));
        assertThat(e.kind()).isEqualTo(StoreException.Kind.BAD_INPUT);
        assertThat(e.getMessage()).isEqualTo("runbook refused: line 1, column 1: groups is required: the boot groups, in order,"
                + " each with its VMs");
    }

    @Test
    void afterMustNameGroupsAndMakeNoCycle() {
        assertThat(problems("""
                runbook: loop
                groups:
                  - {name: a, after: [c], vms: [{vm: a1}]}
                  - {name: b, after: [a], vms: [{vm: b1}]}
                  - {name: c, after: [b], vms: [{vm: c1}]}
                """)).singleElement().satisfies(p -> {
                    assertThat(p.line()).isEqualTo(3);
                    assertThat(p.message()).startsWith("groups a → c → b → a wait for each other: a cycle in after");
                });
        assertThat(problems("""
                runbook: missing
                groups:
                  - {name: a, vms: [{vm: a1}]}
                  - {name: b, after: [z, b], vms: [{vm: b1}]}
                  - {name: a, vms: [{vm: a2}]}
                """)).extracting(Problem::line, Problem::message).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(4, "group b comes after z, which is no group of this runbook"),
                org.assertj.core.groups.Tuple.tuple(4, "group b comes after itself"),
                org.assertj.core.groups.Tuple.tuple(5, "group a is defined twice"));
    }

    @Test
    void vmsWithoutRestorePointsAreRefusedWhenTheCallerKnowsWhichExist() throws Exception {
        String yaml = "runbook: two\ngroups:\n  - name: a\n    vms:\n      - vm: pg01\n      - vm: gone01\n";
        assertThat(catchThrowableOfType(RunbookException.class, () -> RunbookParser.parse(yaml, Set.of("pg01")::contains))
                .problems()).singleElement()
                .isEqualTo(new Problem(6, 13, "VM gone01 has no restore point to come back from"));
        assertThat(RunbookParser.parse(yaml).vms()).hasSize(2);
    }

    @Test
    void pointChoices() throws Exception {
        String yaml = "runbook: p\ngroups:\n  - name: a\n    vms:\n      - {vm: a1, point: newest}\n"
                + "      - {vm: a2, point: {time: 20261207T175904.569Z}}\n      - {vm: a3, point: {before: yesterday}}\n";
        assertThat(problems(yaml)).singleElement().isEqualTo(new Problem(7, 34,
                "before 'yesterday' is not an ISO-8601 time (2026-12-01T00:00:00Z)"));
        Runbook r = RunbookParser.parse(yaml.replace("yesterday", "2026-12-07T00:00:00Z"));
        assertThat(r.vms()).extracting(Runbook.Vm::point).containsExactly(new PointChoice.Newest(),
                new PointChoice.Named(Instant.parse("2026-12-07T17:59:04.569Z")),
                new PointChoice.Before(Instant.parse("2026-12-07T00:00:00Z")));
    }

    @Test
    void thePrimaryToFenceAndTheRecoveredName() throws Exception {
        String yaml = "runbook: p\nprimary: {target: qemu+ssh://prod/system, shutdown: true, timeout: 90s}\ngroups:\n"
                + "  - name: a\n    vms:\n      - {vm: a1, name: a1-dr}\n      - {vm: a2}\n";
        Runbook r = RunbookParser.parse(yaml);
        assertThat(r.primary()).isEqualTo(new Runbook.Primary("qemu+ssh://prod/system", true, Duration.ofSeconds(90)));
        assertThat(r.vms()).extracting(Runbook.Vm::as).containsExactly("a1-dr", "a2");
        assertThat(RunbookParser.parse(yaml.replace("primary: {target: qemu+ssh://prod/system, shutdown: true, timeout: 90s}\n", ""))
                .primary()).isNull();

        String bad = "runbook: p\nprimary: {target: prod, shutdown: maybe}\ngroups:\n  - name: a\n    vms: [{vm: a1, name: 'a b'}]\n";
        assertThat(problems(bad)).extracting(Problem::message).containsExactly(
                "target 'prod' is not a libvirt URI (qemu:///system, qemu+ssh://host/system)",
                "shutdown 'maybe': true (shut the primaries down that still run) or false",
                "name 'a b': 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        assertThat(problems("runbook: p\nprimary: {shutdown: true}\ngroups:\n  - name: a\n    vms: [{vm: a1}]\n"))
                .extracting(Problem::message).singleElement().asString().startsWith("target is required");
    }

    @Test
    void aDrillIsAQuartzCronInAZoneWithATimeToLive() throws Exception {
        String groups = "groups:\n  - name: a\n    vms: [{vm: a1}]\n";
        Runbook r = RunbookParser.parse("runbook: d\ndrill: {schedule: '0 30 2 ? * SUN', zone: Europe/Berlin, ttl: 2h}\n"
                + groups);
        assertThat(r.drill()).isEqualTo(new Runbook.Drill("0 30 2 ? * SUN", ZoneId.of("Europe/Berlin"), Duration.ofHours(2)));
        assertThat(RunbookParser.parse("runbook: d\ndrill:\n  schedule: 0 0 3 * * ?\n  ttl: 30m\n" + groups).drill())
                .as("zone defaults to UTC").isEqualTo(new Runbook.Drill("0 0 3 * * ?", ZoneOffset.UTC, Duration.ofMinutes(30)));
        assertThat(RunbookParser.parse("runbook: d\n" + groups).drill()).as("no drill key: never").isNull();

        assertThat(problems("runbook: d\ndrill:\n  schedule: 0 0 3 * * *\n  zone: Mars/Olympus\n  ttl: soon\n  every: day\n"
                + groups)).extracting(Problem::line, Problem::column, Problem::message).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(6, 3, "unknown key every in drill (known: schedule, ttl, zone)"),
                org.assertj.core.groups.Tuple.tuple(4, 9, "unknown time zone 'Mars/Olympus': use a region such as"
                        + " Europe/Berlin, or UTC"),
                org.assertj.core.groups.Tuple.tuple(3, 13, "schedule: invalid cron expression '0 0 3 * * *': Support for"
                        + " specifying both a day-of-week AND a day-of-month parameter is not implemented."),
                org.assertj.core.groups.Tuple.tuple(5, 8, "ttl 'soon' is not a duration (90s, 5m, 1h30m)"));
        assertThat(problems("runbook: d\ndrill: {schedule: '0 0 3 * * ?'}\n" + groups)).singleElement()
                .isEqualTo(new Problem(2, 8, "ttl is required (how long a drill's VMs stay before they are cleaned up, e.g. 2h)"));
        assertThat(problems("runbook: d\ndrill: {ttl: 1h}\n" + groups)).singleElement().extracting(Problem::message)
                .asString().startsWith("schedule is required");
        assertThat(problems("runbook: d\ndrill: {schedule: '0 0 3 * * ? 2001', ttl: 0s}\n" + groups))
                .extracting(Problem::line, Problem::column, Problem::message).containsExactly(
                org.assertj.core.groups.Tuple.tuple(2, 19, "schedule '0 0 3 * * ? 2001' never fires again"),
                org.assertj.core.groups.Tuple.tuple(2, 44, "ttl must be longer than 0"));
        assertThat(problems("runbook: d\ndrill: weekly\n" + groups)).singleElement()
                .isEqualTo(new Problem(2, 8, "drill must be a mapping (key: value)"));
    }

    private static List<Problem> problems(String yaml) {
        RunbookException e = catchThrowableOfType(RunbookException.class, () -> RunbookParser.parse(yaml));
        assertThat(e).as("refused").isNotNull();
        return e.problems();
    }
}
