package io.lifeboat.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.appliance.api.CatalogedBackups;
import io.lifeboat.appliance.catalog.RestorePointRepository;
import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.appliance.inventory.TestVms;
import io.lifeboat.cli.ExitCode;
import io.lifeboat.store.manifest.RestorePointId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * {@code lifeboat restore}, {@code instant-recover} and {@code instant-recoveries} against the
 * real appliance, on a restore point of disks only (no VM definition, so no VM is made): the
 * restored image holds what was backed up; refusals exit with the documented codes and write nothing.
 */
class RestoreCliTest extends CliHarness {

    static final List<String> VERBS = List.of("restore", "instant-recover", "instant-recoveries",
            "instant-recovery show", "instant-recovery copy", "instant-recovery stop", "instant-recovery discard");

    @Autowired
    ChunkStore chunkStore;

    @Autowired
    RestorePointRepository catalog;

    @TempDir
    Path dir;

    private String vm;
    private RestorePointId point;

    @BeforeEach
    void restorePoint() throws Exception {
        vm = "clirs-" + UUID.randomUUID().toString().substring(0, 8);
        point = CatalogedBackups.backUp(chunkStore, catalog, dir, vm);
    }

    @Test
    void everyNewVerbHasHelpWithTheExitCodes() {
        for (String verb : VERBS) {
            Run run = bare((verb + " --help").split(" "));
            assertThat(run.exitCode()).as(verb).isZero();
            assertThat(run.out()).as(verb).startsWith("Usage: lifeboat " + verb).contains("--json", "Exit codes:", "130");
        }
        assertThat(bare("--help").out()).contains("restore", "instant-recover", "instant-recoveries");
    }

    @Test
    void restoreADiskImageWaitsForTheJobAndPrintsTheFile() throws Exception {
        Path target = Files.createDirectories(dir.resolve("out"));
        Path file = target.resolve(vm + "-vda.raw");

        Run plan = lifeboat("--json", "restore", point.toString(), "--disk", "vda", "--format", "raw", "--dir",
                target.toString(), "--dry-run");
        assertThat(plan.exitCode()).as(plan.err()).isZero();
        assertThat(plan.json().path("disks").path("vda").asText()).isEqualTo(file.toString());
        assertThat(plan.json().path("definesVm").asBoolean()).isFalse();
        assertThat(Files.exists(file)).as("a dry run writes nothing").isFalse();

        Run run = lifeboat("restore", point.toString(), "--disk", "vda", "--format", "raw", "--dir", target.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("restored the disks of " + point, "vda", file.toString());
        TestVms.run("qemu-img", "compare", "-f", "raw", "-F", "raw", dir.resolve(vm + ".raw").toString(), file.toString());

        Run again = lifeboat("--json", "restore", point.toString(), "--disk", "vda", "--format", "raw", "--dir",
                target.toString(), "--overwrite");
        assertThat(again.exitCode()).as(again.err()).isZero();
        JsonNode result = again.json();
        assertThat(result.path("restorePoint").asText()).isEqualTo(point.toString());
        assertThat(result.path("disks").path("vda").asText()).isEqualTo(file.toString());
        assertThat(result.path("defined").asBoolean()).isFalse();
    }

    @Test
    void refusalsExitWithTheirCodesAndWriteNothing() throws Exception {
        Path target = Files.createDirectories(dir.resolve("out"));
        Files.writeString(target.resolve(vm + "-vda.raw"), "in the way");

        Run taken = lifeboat("restore", point.toString(), "--disk", "vda", "--format", "raw", "--dir", target.toString());
        assertThat(taken.exitCode()).as(taken.err()).isEqualTo(ExitCode.CONFLICT);
        assertThat(taken.err()).startsWith("lifeboat: ").contains("exist");
        assertThat(Files.readString(target.resolve(vm + "-vda.raw"))).isEqualTo("in the way");

        Run badMode = lifeboat("restore", point.toString(), "--mode", "sideways", "--dir", target.toString());
        assertThat(badMode.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(badMode.err()).contains("sideways");
        assertThat(lifeboat("restore", vm + "/20200101T000000.000Z", "--disk", "vda", "--dir", target.toString())
                .exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(lifeboat("restore", "no-slash").exitCode()).isEqualTo(ExitCode.USAGE);

        Run noDefinition = lifeboat("instant-recover", point.toString(), "--name", vm + "-ir");
        assertThat(noDefinition.exitCode()).as(noDefinition.err()).isEqualTo(ExitCode.USAGE);
        assertThat(noDefinition.err()).contains("no VM definition");
        assertThat(lifeboat("instant-recover", point.toString()).exitCode()).as("--name is required").isEqualTo(ExitCode.USAGE);
        assertThat(lifeboat("instant-recover", point.toString(), "--name", "x", "--bandwidth", "-1").exitCode()).isEqualTo(ExitCode.USAGE);
        try (var files = Files.list(target)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly(vm + "-vda.raw");
        }
    }

    @Test
    void instantRecoverRunsTheVmAndWaitsForTheCopyThenTheSessionIsListed() throws Exception {
        try (TestVms vms = new TestVms()) {
            String source = vms.name("cliir");
            Path disk = TestVms.qcow2(dir, source + "-vda.qcow2", 16 * TestVms.MIB);
            TestVms.write(disk, 0x2e, 0, TestVms.MIB);
            assertThat(admin().post("/api/vms", "application/xml", TestVms.domainXml(source, List.of(disk), false))
                    .status()).isEqualTo(201);
            Run backup = lifeboat("backup", source);
            assertThat(backup.exitCode()).as(backup.err()).isZero();
            String rp = backup.out().strip();
            String name = vms.name("cliirr");

            Run run = lifeboat("instant-recover", rp, "--name", name, "--image-dir", dir.resolve("images").toString(),
                    "--wait");

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).contains(name, "PIVOTED", dir.resolve("images").resolve(name + "-vda.qcow2").toString());
            Run table = lifeboat("instant-recoveries");
            assertThat(table.exitCode()).as(table.err()).isZero();
            assertThat(table.out()).contains("ID", "STATE", "RESTORE POINT", "SERVED")
                    .containsPattern("PIVOTED +" + name + " +" + java.util.regex.Pattern.quote(rp));
            Run json = lifeboat("--json", "instant-recoveries");
            assertThat(json.exitCode()).isZero();
            List<String> names = new ArrayList<>();
            json.json().forEach(s -> names.add(s.path("vm").asText()));
            assertThat(names).contains(name);
            TestVms.run("qemu-img", "compare", "-U", "-f", "qcow2", "-F", "qcow2", disk.toString(),
                    dir.resolve("images").resolve(name + "-vda.qcow2").toString());

            String id = null;
            for (var s : json.json()) {
                if (s.path("vm").asText().equals(name)) {
                    id = s.path("id").asText();
                }
            }
            Run shown = lifeboat("instant-recovery", "show", id);
            assertThat(shown.exitCode()).as(shown.err()).isZero();
            assertThat(shown.out()).contains(id, "PIVOTED", name);
            assertThat(lifeboat("instant-recovery", "copy", id).exitCode()).as("already pivoted").isEqualTo(ExitCode.CONFLICT);
            Run discarded = lifeboat("instant-recovery", "discard", id);
            assertThat(discarded.exitCode()).as(discarded.err()).isZero();
            assertThat(discarded.out()).contains("discarded instant recovery " + id);
            assertThat(lifeboat("instant-recovery", "show", id).exitCode()).isEqualTo(ExitCode.NOT_FOUND);
            assertThat(lifeboat("instant-recovery", "discard", id).exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        }
    }
}
