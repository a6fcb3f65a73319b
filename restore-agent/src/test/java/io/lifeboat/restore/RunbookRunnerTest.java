package io.lifeboat.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeboat.kvm.domain.DomainXml;
import io.lifeboat.restore.agent.RestoreAgent;
import io.lifeboat.restore.instant.InstantRecovery;
import io.lifeboat.restore.runbook.Readiness;
import io.lifeboat.restore.runbook.RunRecord;
import io.lifeboat.restore.runbook.RunReport;
import io.lifeboat.restore.runbook.RunStore;
import io.lifeboat.restore.runbook.Runbook;
import io.lifeboat.restore.runbook.RunbookParser;
import io.lifeboat.restore.runbook.RunbookRunner;
import io.lifeboat.store.BackupSession;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreConfig;
import io.lifeboat.store.ingest.Ingester;
import io.lifeboat.store.manifest.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Domain;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.LibvirtException;
import org.libvirt.Network;

/**
 * DR runbook runs against the real libvirtd and QEMU (TCG), with small VMs that have no operating
 * system (their checks are libvirt's state; the checks that need a guest run in the two-site test
 * of {@code tests/}): the readiness check starts nothing, a test failover runs isolated copies and
 * its cleanup (on demand, or by a later runner once its time to live passed) leaves nothing behind,
 * a failover halts at a missing restore point, a check that never passes, an approval and a
 * primary that still runs the VM, and goes on from there on resume, including after its process
 * was killed.
 */
class RunbookRunnerTest {
    private static final String URI = TestLibvirt.URI;
    private static final long MIB = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private TestLibvirt libvirt;
    private Store store;
    private final String tag = UUID.randomUUID().toString().substring(0, 6);
    private String net;
    private final List<String> networks = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        libvirt = new TestLibvirt();
        store = Store.init(dir.resolve("store"), StoreConfig.defaults());
        net = "lbtest-dr-" + tag;
        networks.add(net);
        // the recovery site's own network, isolated (no forward) like a lab's
        libvirt.connect().networkCreateXML("<network><name>" + net + "</name><bridge name='lbd" + tag + "'/></network>");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (String n : networks) {
            try {
                libvirt.connect().networkLookupByName(n).destroy();
            } catch (LibvirtException gone) {
                // removed by the test
            }
        }
        libvirt.close();
        store.close();
    }

    private String vm(String role) {
        String name = "lbtest-rb-" + role + "-" + tag;
        libvirt.remember(name);
        return name;
    }

    /** Backs up a 4 MiB VM of {@code name} into the store; its definition has an interface on {@code network} (null: user-mode). */
    private Manifest backUp(String name, String network) throws Exception {
        Path disk = dir.resolve(name + ".raw");
        TestImages.run("qemu-img", "create", "-q", "-f", "raw", disk.toString(), Long.toString(4 * MIB));
        TestImages.run("qemu-io", "-f", "raw", disk.toString(), "-c", "write -P 0x3c 0 1M");
        String nic = network == null ? "<interface type='user'><model type='virtio'/></interface>"
                : "<interface type='network'><source network='" + network + "'/><model type='virtio'/></interface>";
        String xml = "<domain type='qemu'><name>" + name + "</name><uuid>" + UUID.randomUUID() + "</uuid>"
                + "<memory unit='MiB'>32</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>"
                + "<devices><disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='" + disk
                + "'/><target dev='vda' bus='virtio'/></disk>" + nic + "<memballoon model='none'/></devices></domain>";
        try (BackupSession s = store.beginBackup(name)) {
            Ingester.forThisMachine(store.config().zstdLevel()).ingestImage(s, "vda", disk, Progress.none());
            return s.commit(Manifest.Kind.FULL, Manifest.Consistency.OFFLINE, "", xml, Map.of());
        }
    }

    /** The backed-up VM's definition as the original, its network moved to one this host has. */
    private String onRecoveryNetwork(Manifest point) {
        DomainXml xml = DomainXml.parse(point.domainXml());
        xml.remapNetworks(Map.of("prod", net));
        return xml.toXml();
    }

    private RunbookRunner runner(InstantRecovery recovery) throws Exception {
        return new RunbookRunner(new RestoreSource(store), recovery, new RunStore(dir.resolve("runs")),
                new RunbookRunner.Site(URI, dir.resolve("images"), dir.resolve("runs")), p -> true);
    }

    private static Runbook parse(String yaml) throws Exception {
        return RunbookParser.parse(yaml, null);
    }

    private boolean domainExists(String name) throws LibvirtException {
        return libvirt.exists(name);
    }

    private boolean networkExists(String name) {
        try {
            libvirt.connect().networkLookupByName(name);
            return true;
        } catch (LibvirtException e) {
            return false;
        }
    }

    private static RunRecord.Step step(RunRecord run, String id) {
        return run.steps.stream().filter(s -> s.id.equals(id)).findFirst().orElseThrow();
    }

    @Test
    void readinessReportsEachProblemAndStartsNothing() throws Exception {
        String db = vm("db");
        String web = vm("web");
        String old = vm("old");
        backUp(db, "prod");
        backUp(web, "prod");
        backUp(old, null);
        String yaml = """
                runbook: ready
                groups:
                  - name: one
                    vms:
                      - {vm: %s, networks: {prod: %s}}
                      - {vm: %s}
                      - {vm: %s, point: {before: "2001-01-01T00:00:00Z"}}
                """.formatted(db, net, web, old);
        try (InstantRecovery recovery = new InstantRecovery(dir.resolve("ir")); RunbookRunner runner = runner(recovery)) {
            Readiness r = runner.readiness(parse(yaml), RunRecord.Kind.FAILOVER);

            assertThat(r.ready()).isFalse();
            Readiness.VmReadiness ok = r.vms().get(0);
            assertThat(ok.ready()).as(ok.items().toString()).isTrue();
            assertThat(ok.items()).extracting(Readiness.Item::check)
                    .contains("restore-point", "whole", "target", "name", "storage", "memory", "networks");
            assertThat(ok.rpoSeconds()).isNotNull();
            Readiness.VmReadiness noNetwork = r.vms().get(1);
            assertThat(noNetwork.items()).filteredOn(i -> !i.ok()).extracting(Readiness.Item::check).containsExactly("networks");
            assertThat(noNetwork.items()).filteredOn(i -> !i.ok()).first().extracting(Readiness.Item::detail).asString()
                    .contains("not on " + URI + ": prod");
            Readiness.VmReadiness noPoint = r.vms().get(2);
            assertThat(noPoint.items().get(0).ok()).isFalse();
            assertThat(noPoint.items().get(0).detail()).contains("has no restore point taken before 2001-01-01T00:00:00Z");
        }
        for (String name : List.of(db, web, old)) {
            assertThat(domainExists(name)).as("readiness defines nothing").isFalse();
        }
        assertThat(dir.resolve("runs")).isEmptyDirectory();
    }

    @Test
    void aTestFailoverRunsIsolatedCopiesInGroupOrderAndItsCleanupLeavesNothing() throws Exception {
        String db = vm("db");
        String app = vm("app");
        String web = vm("web");
        backUp(db, "prod");
        backUp(app, null);
        Manifest webPoint = backUp(web, "prod");
        // production: web runs where it always did, on its own disk and network
        libvirt.connect().domainDefineXML(onRecoveryNetwork(webPoint));
        libvirt.domain(web).create();
        String production = libvirt.inactiveXml(web);
        String yaml = """
                runbook: drill
                groups:
                  - name: data
                    vms:
                      - {vm: %s, checks: [running: {timeout: 30s}]}
                  - name: front
                    vms:
                      - {vm: %s, mode: restore, checks: [running:]}
                      - {vm: %s, vcpus: 2, memory: 48MiB}
                """.formatted(db, app, web);
        RunRecord run;
        try (InstantRecovery recovery = new InstantRecovery(dir.resolve("ir")); RunbookRunner runner = runner(recovery)) {
            run = runner.start(parse(yaml), yaml, RunRecord.Kind.TEST, RunbookRunner.Options.none());
            assertThat(run.state).as(run.error).isEqualTo(RunRecord.State.DONE);
            networks.add(run.network);

            // isolated: a network of the run's own, without forward, and every interface on it
            Network n = libvirt.connect().networkLookupByName(run.network);
            assertThat(n.getXMLDesc(0)).doesNotContain("<forward");
            for (RunRecord.VmRun v : run.vms) {
                libvirt.remember(v.name);
                assertThat(v.name).isEqualTo(v.vm + "-test-" + run.id);
                Domain d = libvirt.domain(v.name);
                assertThat(d.getInfo().state).isEqualTo(DomainState.VIR_DOMAIN_RUNNING);
                DomainXml live = DomainXml.parse(d.getXMLDesc(0));
                assertThat(live.networks()).containsExactly(run.network);
                assertThat(d.getXMLDesc(0)).doesNotContain("type='user'");
                assertThat(v.rpoSeconds).isNotNull().isNotNegative();
                assertThat(v.greenAt).isNotNull();
            }
            Domain webCopy = libvirt.domain(web + "-test-" + run.id);
            assertThat(webCopy.getInfo().nrVirtCpu).isEqualTo(2);
            assertThat(webCopy.getInfo().maxMem).isEqualTo(48 * 1024);
            assertThat(webCopy.getUUIDString()).isNotEqualTo(libvirt.domain(web).getUUIDString());
            // groups in order: front starts once data's checks passed; a group's VMs start together
            assertThat(Instant.parse(step(run, "start:" + app).started))
                    .isAfterOrEqualTo(Instant.parse(step(run, "checks:" + db).ended));
            assertThat(step(run, "start:" + app).started).isEqualTo(step(run, "start:" + web).started);
            assertThat(run.rtoSeconds).isNotNull();
            assertThat(step(run, "copy").detail).isEqualTo("2 VM(s) on their own disks");
            String html = RunReport.html(run);
            assertThat(html).contains("id='rto'", "checks:" + db, web + "-test-" + run.id);
            assertThat(RunReport.json(run)).containsEntry("state", RunRecord.State.DONE).containsKey("worstRpoSeconds");

            // production untouched
            assertThat(libvirt.inactiveXml(web)).isEqualTo(production);
            assertThat(libvirt.domain(web).getInfo().state).isEqualTo(DomainState.VIR_DOMAIN_RUNNING);

            RunRecord cleaned = runner.cleanup(run.id);
            assertThat(cleaned.state).isEqualTo(RunRecord.State.CLEANED);
        }
        assertNothingLeft(run);
        assertThat(libvirt.inactiveXml(web)).isEqualTo(production);
    }

    /** No domain, network, instant recovery session or disk image of the run is left; its record is. */
    private void assertNothingLeft(RunRecord run) throws Exception {
        for (RunRecord.VmRun v : run.vms) {
            assertThat(domainExists(v.name)).as(v.name).isFalse();
            for (String f : v.files) {
                assertThat(Path.of(f)).doesNotExist();
            }
        }
        assertThat(networkExists(run.network)).isFalse();
        try (var left = Files.walk(dir.resolve("ir"))) {
            assertThat(left.filter(Files::isRegularFile).toList()).as("instant recovery sessions").isEmpty();
        }
        try (var left = Files.list(dir.resolve("runs").resolve(run.id))) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrder("run.json",
                    "runbook.yaml", "lock");
        }
    }

    @Test
    void anExpiredTestRunIsRemovedByTheNextRunnerAfterARestart() throws Exception {
        String db = vm("db");
        backUp(db, "prod");
        String yaml = "runbook: ttl\ngroups:\n  - name: g\n    vms: [{vm: " + db + "}]\n";
        RunRecord run;
        try (InstantRecovery recovery = new InstantRecovery(dir.resolve("ir")); RunbookRunner runner = runner(recovery)) {
            run = runner.start(parse(yaml), yaml, RunRecord.Kind.TEST, new RunbookRunner.Options(Duration.ofSeconds(2), false, Set.of()));
            assertThat(run.state).as(run.error).isEqualTo(RunRecord.State.DONE);
            networks.add(run.network);
            libvirt.remember(run.vms.get(0).name);
            assertThat(runner.cleanupExpired()).as("not expired yet").isEmpty();
        }
        // the runner is gone (its process stopped); the run's VM keeps running on its own disk
        assertThat(libvirt.domain(run.vms.get(0).name).getInfo().state).isEqualTo(DomainState.VIR_DOMAIN_RUNNING);
        Instant expires = Instant.parse(run.expires);
        while (!Instant.now().isAfter(expires)) {
            Thread.sleep(100); // until the time to live has passed
        }
        try (InstantRecovery recovery = new InstantRecovery(dir.resolve("ir")); RunbookRunner runner = runner(recovery)) {
            List<RunRecord> cleaned = runner.cleanupExpired();
            assertThat(cleaned).extracting(r -> r.id).containsExactly(run.id);
            assertThat(cleaned.get(0).state).isEqualTo(RunRecord.State.CLEANED);
        }
        assertNothingLeft(run);
    }

    @Test
    void aFailoverHaltsAtAnApprovalAndAMissingRestorePointAndResumeGoesOnFromThere() throws Exception {
        String db = vm("db");
        String late = vm("late");
        backUp(db, "prod");
        String yaml = """
                runbook: halts
                groups:
                  - name: data
                    approval: Is the database consistent?
                    vms:
                      - {vm: %s, name: %s-dr, networks: {prod: %s}, checks: [running:]}
                  - name: front
                    vms:
                      - {vm: %s, point: newest}
                """.formatted(db, db, net, late);
        libvirt.remember(db + "-dr");
        try (InstantRecovery recovery = new InstantRecovery(dir.resolve("ir")); RunbookRunner runner = runner(recovery)) {
            RunRecord run = runner.start(parse(yaml), yaml, RunRecord.Kind.FAILOVER, RunbookRunner.Options.none());
            assertThat(run.state).isEqualTo(RunRecord.State.WAITING_APPROVAL);
            assertThat(run.error).contains("Is the database consistent?");
            assertThat(libvirt.domain(db + "-dr").getInfo().state).isEqualTo(DomainState.VIR_DOMAIN_RUNNING);
            assertThat(step(run, "fence:" + db).detail).isEqualTo("no primary in the runbook: not fenced");

            run = runner.resume(run.id, new RunbookRunner.Options(null, false, Set.of("data")));
            assertThat(run.state).isEqualTo(RunRecord.State.HALTED);
            assertThat(step(run, "start:" + late).outcome).isEqualTo(RunRecord.Outcome.FAILED);
            assertThat(run.error).isEqualTo("start:" + late + ": VM " + late + " has no restore point; back it up or replicate it,"
                    + " then resume the run");
            assertThat(domainExists(late)).isFalse();

            backUp(late, null); // the missing restore point arrives
            run = runner.resume(run.id, RunbookRunner.Options.none());
            assertThat(run.state).as(run.error).isEqualTo(RunRecord.State.DONE);
            assertThat(step(run, "start:" + late).attempts).isEqualTo(2);
            assertThat(step(run, "start:" + db).attempts).as("a step that passed is not run again").isEqualTo(1);
            assertThat(libvirt.domain(late).getInfo().state).isEqualTo(DomainState.VIR_DOMAIN_RUNNING);
            assertThat(DomainXml.parse(libvirt.domain(db + "-dr").getXMLDesc(0)).networks()).containsExactly(net);
            String again = run.id;
            assertThatThrownBy(() -> runner.resume(again, RunbookRunner.Options.none()))
                    .hasMessageContaining("there is nothing to resume");
        }
    }

    @Test
    void aCheckThatNeverPassesHaltsTheRunAndCancelUndoesIt() throws Exception {
        String db = vm("db");
        backUp(db, "prod");
        String yaml = """
                runbook: never
                groups:
                  - name: g
                    vms:
                      - {vm: %s, networks: {prod: %s}, checks: [running:, {tcp: {port: 5432, timeout: 2s}}]}
                """.formatted(db, net);
        try (InstantRecovery recovery = new InstantRecovery(dir.resolve("ir")); RunbookRunner runner = runner(recovery)) {
            RunRecord run = runner.start(parse(yaml), yaml, RunRecord.Kind.FAILOVER, RunbookRunner.Options.none());
            assertThat(run.state).isEqualTo(RunRecord.State.HALTED);
            assertThat(run.error).startsWith("checks:" + db + ": " + db + ": tcp 5432 did not pass within 2 s: ")
                    .contains("no IPv4 address");
            assertThat(run.rtoSeconds).as("no RTO while a check is red").isNull();
            RunRecord.VmRun v = run.vms.get(0);
            assertThat(libvirt.domain(db).getInfo().state).isEqualTo(DomainState.VIR_DOMAIN_RUNNING);

            RunRecord cancelled = runner.cancel(run.id);
            assertThat(cancelled.state).isEqualTo(RunRecord.State.CANCELLED);
            assertThat(domainExists(db)).isFalse();
            v.files.forEach(f -> assertThat(Path.of(f)).doesNotExist());
            assertThatThrownBy(() -> runner.resume(run.id, RunbookRunner.Options.none()))
                    .hasMessageContaining("is CANCELLED");
        }
    }

    @Test
    void aFailoverDoesNotStartAVmThePrimaryStillRunsOrCannotBeAskedAbout() throws Exception {
        String db = vm("db");
        Manifest point = backUp(db, "prod");
        libvirt.connect().domainDefineXML(onRecoveryNetwork(point));
        libvirt.domain(db).create();
        String yaml = """
                runbook: fence
                primary: {target: %s}
                groups:
                  - name: g
                    vms: [{vm: %s, name: %s-dr, identity: new, networks: {prod: %s}}]
                """.formatted(URI, db, db, net);
        libvirt.remember(db + "-dr");
        try (InstantRecovery recovery = new InstantRecovery(dir.resolve("ir")); RunbookRunner runner = runner(recovery)) {
            RunRecord run = runner.start(parse(yaml), yaml, RunRecord.Kind.FAILOVER, RunbookRunner.Options.none());
            assertThat(run.state).isEqualTo(RunRecord.State.HALTED);
            assertThat(run.error).contains(db + " still runs at the primary " + URI);
            assertThat(domainExists(db + "-dr")).isFalse();

            libvirt.domain(db).destroy(); // the operator stops it there
            run = runner.resume(run.id, RunbookRunner.Options.none());
            assertThat(run.state).as(run.error).isEqualTo(RunRecord.State.DONE);
            assertThat(step(run, "fence:" + db).detail).isEqualTo(db + " does not run at the primary");
            assertThat(libvirt.domain(db + "-dr").getInfo().state).isEqualTo(DomainState.VIR_DOMAIN_RUNNING);
        }

        String lost = """
                runbook: lost
                primary: {target: "qemu+tcp://127.0.0.1:1/system"}
                groups:
                  - name: g
                    vms: [{vm: %s, name: %s-lost, identity: new, networks: {prod: %s}}]
                """.formatted(db, db, net);
        libvirt.remember(db + "-lost");
        try (InstantRecovery recovery = new InstantRecovery(dir.resolve("ir")); RunbookRunner runner = runner(recovery)) {
            RunRecord run = runner.start(parse(lost), lost, RunRecord.Kind.FAILOVER, RunbookRunner.Options.none());
            assertThat(run.state).isEqualTo(RunRecord.State.HALTED);
            assertThat(run.error).contains("does not answer").contains("declared lost");
            run = runner.resume(run.id, new RunbookRunner.Options(null, true, Set.of()));
            assertThat(run.state).as(run.error).isEqualTo(RunRecord.State.DONE);
            assertThat(run.primaryLost).isTrue();
        }
    }

    @Test
    void aRunWhoseAgentWasKilledIsResumedAndItsVmsKeepRunning() throws Exception {
        String db = vm("db");
        backUp(db, "prod");
        Path go = dir.resolve("go");
        String yaml = """
                runbook: killed
                groups:
                  - name: g
                    vms: [{vm: %s, point: newest, networks: {prod: %s}, checks: [running:]}]
                post:
                  - run: [/bin/sh, -c, "while [ ! -e %s ]; do sleep 0.1; done"]
                    timeout: 5m
                """.formatted(db, net, go);
        Path file = Files.writeString(dir.resolve("killed.yaml"), yaml);
        store.close(); // the agent's process opens it
        String java = ProcessHandle.current().info().command().orElse("java");
        Process agent = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), RestoreAgent.class.getName(),
                "--store", dir.resolve("store").toString(), "runbook", "failover", file.toString(),
                "--runs", dir.resolve("runs").toString(), "--work", dir.resolve("ir").toString(),
                "--dir", dir.resolve("images").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile()).start();
        RunRecord seen = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (seen == null || step(seen, "post:1").started == null) {
            assertThat(agent.isAlive()).as(() -> readLog()).isTrue();
            assertThat(System.nanoTime()).as("the run reaches its post hook").isLessThan(deadline);
            Thread.sleep(100); // polling the run's record until the step is reached
            seen = runRecord();
        }
        agent.destroyForcibly(); // SIGKILL, mid-run
        agent.waitFor();
        RunRecord interrupted = runRecord();
        assertThat(interrupted.state).isEqualTo(RunRecord.State.RUNNING);
        assertThat(step(interrupted, "post:1").outcome).isNull();

        Files.writeString(go, "");
        store = Store.open(dir.resolve("store"));
        try (InstantRecovery recovery = new InstantRecovery(dir.resolve("ir")); RunbookRunner runner = runner(recovery)) {
            RunRecord run = runner.resume(interrupted.id, RunbookRunner.Options.none());
            assertThat(run.state).as(run.error).isEqualTo(RunRecord.State.DONE);
            assertThat(step(run, "post:1").attempts).isEqualTo(2);
            assertThat(step(run, "start:" + db).attempts).isEqualTo(1);
            assertThat(recovery.session(run.vms.get(0).session).state()).isEqualTo(io.lifeboat.restore.instant.InstantSession.State.PIVOTED);
        }
        assertThat(libvirt.domain(db).getInfo().state).isEqualTo(DomainState.VIR_DOMAIN_RUNNING);
    }

    private RunRecord runRecord() throws Exception {
        if (!Files.isDirectory(dir.resolve("runs"))) {
            return null;
        }
        try (var runs = Files.list(dir.resolve("runs"))) {
            Path only = runs.findFirst().orElse(null);
            if (only == null || !Files.isRegularFile(only.resolve("run.json"))) {
                return null;
            }
            return JSON.readValue(only.resolve("run.json").toFile(), RunRecord.class);
        }
    }

    private String readLog() {
        try {
            return Files.readString(dir.resolve("agent.log"), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
