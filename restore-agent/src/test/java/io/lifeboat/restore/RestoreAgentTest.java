package io.lifeboat.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.cli.ExitCode;
import io.lifeboat.restore.agent.RestoreAgent;

import java.nio.file.Files;
import java.nio.file.Path;

import io.lifeboat.testkit.ConsoleCapture;
import io.lifeboat.testkit.ConsoleCapture.Run;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.DomainInfo.DomainState;

/** The {@code restore-agent} command line: output, exit codes, and that a refusal changes nothing. */
class RestoreAgentTest {
    @TempDir
    static Path shared;
    static BackedUpVm vm;

    @TempDir
    Path target;
    TestLibvirt libvirt;

    @BeforeAll
    static void backUp() throws Exception {
        vm = BackedUpVm.create("lbtest-restore-cli-" + java.util.UUID.randomUUID().toString().substring(0, 8), shared);
    }

    @BeforeEach
    void connect() throws Exception {
        libvirt = new TestLibvirt();
    }

    @AfterEach
    void cleanUp() throws Exception {
        libvirt.close();
    }

    @Test
    void listShowsRestorePointsWithTheirDisks() {
        Run run = agent("--store", vm.store().toString(), "list", "--json");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("\"id\" : \"" + vm.restorePoint + "\"", "\"domainXml\" : true", "\"name\" : \"vdb\"");
    }

    @Test
    void restoreDefinesAndStartsAVm() throws Exception {
        String name = libvirt.name("cli");
        Run run = agent("--store", vm.store().toString(), "restore", vm.restorePoint.toString(), "--name", name,
                "--dir", target.toString(), "--format", "raw", "--start", "--json");

        assertThat(run.err()).isEmpty();
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("\"name\" : \"" + name + "\"", "\"started\" : true",
                target.resolve(name + "-vda.raw").toString());
        libvirt.awaitState(name, DomainState.VIR_DOMAIN_RUNNING);
    }

    @Test
    void refusalsHaveTheirExitCodesAndChangeNothing() throws Exception {
        String rp = vm.restorePoint.toString();
        String store = vm.store().toString();
        String dir = target.toString();
        String name = libvirt.name("refused");

        assertThat(agent("--store", store, "restore", rp, "--dir", dir, "--name", name, "--network", "lan"))
                .satisfies(r -> assertThat(r.exit()).isEqualTo(ExitCode.USAGE))
                .satisfies(r -> assertThat(r.err()).contains("bad network mapping 'lan'"));
        assertThat(agent("--store", store, "restore", rp, "--dir", dir, "--name", name, "--mode", "sideways"))
                .satisfies(r -> assertThat(r.exit()).isEqualTo(ExitCode.USAGE))
                .satisfies(r -> assertThat(r.err()).contains("unknown mode 'sideways'"));
        assertThat(agent("--store", store, "restore", vm.name + "/20200101T000000.000Z", "--dir", dir))
                .satisfies(r -> assertThat(r.exit()).isEqualTo(ExitCode.NOT_FOUND))
                .satisfies(r -> assertThat(r.err()).contains("no restore point"));
        assertThat(agent("--store", store, "restore", rp, "--mode", "over-original"))
                .satisfies(r -> assertThat(r.exit()).isEqualTo(ExitCode.CONFLICT))
                .satisfies(r -> assertThat(r.err()).contains("ask to overwrite"));
        assertThat(agent("--store", store, "restore", rp, "--dir", dir, "--disk", "vda", "--start"))
                .satisfies(r -> assertThat(r.exit()).isEqualTo(ExitCode.USAGE));
        assertThat(agent("--store", store, "restore", rp, "--dir", dir, "--name", name, "--dry-run", "--json"))
                .satisfies(r -> assertThat(r.exit()).isZero())
                .satisfies(r -> assertThat(r.out()).contains("\"defines\" : true", name + "-vda.qcow2"));

        try (var files = Files.list(target)) {
            assertThat(files).isEmpty();
        }
        assertThat(libvirt.exists(name)).isFalse();
    }

    @Test
    void helpExitsZero() {
        Run run = agent("restore", "--help");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("--mode=MODE", "over-original", "--network=OLD=NEW");
    }

    private static Run agent(String... args) {
        return ConsoleCapture.run(() -> RestoreAgent.run(args));
    }
}
