package io.lifeboat.store.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.cli.ExitCode;
import io.lifeboat.store.cli.CliRunner.Result;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.testkit.TestImages;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The store's command line end to end, reading its --json output as a script would. */
class CliRoundTripTest {
    private static final int CHUNK = 64 << 10;

    @TempDir
    Path dir;
    private Path store;
    private Path root;
    private Path data;

    @BeforeEach
    void twoDiskImages() throws IOException {
        store = dir.resolve("store");
        root = TestImages.mixed(dir.resolve("root.img"), 3L * (1 << 20) + 4321, 70_000, 21);
        data = TestImages.mixed(dir.resolve("data.img"), 3L * (1 << 19) + 99, 30_000, 22);
        Result init = ok(CliRunner.run(store, "--json", "init", "--chunk-size", "64K", "--pack-size", "1M"));
        assertThat(init.json().get("config").get("chunkSize").asInt()).isEqualTo(CHUNK);
        assertThat(init.json().get("config").get("packTargetSize").asLong()).isEqualTo(1 << 20);
    }

    @Test
    void aDomainXmlGivenToBackupIsKeptWithTheRestorePoint() throws IOException {
        Path xml = Files.writeString(dir.resolve("web01.xml"), "<domain type='qemu'><name>web01</name></domain>\n");
        String id = ok(CliRunner.run(store, "--json", "backup", "--vm", "web01", "--domain-xml", xml.toString(),
                root.toString())).json().get("id").asText();
        try (io.lifeboat.store.Store s = io.lifeboat.store.Store.open(store)) {
            assertThat(s.manifest(io.lifeboat.store.manifest.RestorePointId.parse(id)).domainXml())
                    .isEqualTo(Files.readString(xml));
        }
        Path notXml = Files.writeString(dir.resolve("notes.txt"), "web01 runs nginx");
        Result refused = CliRunner.run(store, "backup", "--vm", "web01", "--domain-xml", notXml.toString(), root.toString());
        assertThat(refused.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(refused.err()).contains("not a libvirt domain XML");
        assertThat(ok(CliRunner.run(store, "--json", "list")).json()).hasSize(1);
    }

    @Test
    void backupListShowAndRestoreTwoDisksBitExact() throws IOException {
        JsonNode backup = ok(CliRunner.run(store, "--json", "backup", "--vm", "web01", "--disk", "root,data",
                root.toString(), data.toString())).json();
        String id = backup.get("id").asText();
        assertThat(id).startsWith("web01/");
        assertThat(backup.get("logicalBytes").asLong()).isEqualTo(Files.size(root) + Files.size(data));

        JsonNode list = ok(CliRunner.run(store, "--json", "list")).json();
        assertThat(list).hasSize(1);
        JsonNode row = list.get(0);
        assertThat(row.get("id").asText()).isEqualTo(id);
        assertThat(row.get("vm").asText()).isEqualTo("web01");
        assertThat(row.get("kind").asText()).isEqualTo("full");
        assertThat(row.get("consistency").asText()).isEqualTo("offline");
        assertThat(names(row.get("disks"))).containsExactly("root", "data");
        assertThat(ok(CliRunner.run(store, "--json", "list", "--vm", "db01")).json()).isEmpty();

        JsonNode show = ok(CliRunner.run(store, "--json", "show", id)).json();
        assertThat(show.get("id").asText()).isEqualTo(id);
        JsonNode disks = show.get("disks");
        assertThat(names(disks)).containsExactly("root", "data");
        assertThat(disks.get(0).get("size").asLong()).isEqualTo(Files.size(root));
        assertThat(disks.get(0).get("chunkSize").asInt()).isEqualTo(CHUNK);
        assertThat(disks.get(0).get("slots").asInt()).isEqualTo((int) ((Files.size(root) + CHUNK - 1) / CHUNK));
        assertThat(disks.get(1).get("size").asLong()).isEqualTo(Files.size(data));
        assertThat(show.get("attributes").get("source.root").asText()).isEqualTo(root.toAbsolutePath().toString());

        Path out = Files.createDirectory(dir.resolve("out"));
        JsonNode restored = ok(CliRunner.run(store, "--json", "restore", id, out.toString())).json();
        assertThat(restored.get("disks").get("root").asText()).isEqualTo(out.resolve("root.raw").toAbsolutePath().toString());
        assertThat(TestImages.sha256(out.resolve("root.raw"))).isEqualTo(TestImages.sha256(root));
        assertThat(TestImages.sha256(out.resolve("data.raw"))).isEqualTo(TestImages.sha256(data));

        Path one = dir.resolve("data-only.raw");
        ok(CliRunner.run(store, "restore", id, one.toString(), "--disk", "data"));
        assertThat(TestImages.sha256(one)).isEqualTo(TestImages.sha256(data));

        Result human = ok(CliRunner.run(store, "list"));
        assertThat(human.out()).contains("RESTORE POINT", id);
    }

    @Test
    void deleteAndGcShrinkTheStoreAndTheOtherRestorePointStillRestores() throws IOException {
        String first = backup(root, data);
        Path root2 = TestImages.mixed(dir.resolve("root2.img"), 3L * (1 << 20) + 4321, 70_000, 31);
        Path data2 = TestImages.mixed(dir.resolve("data2.img"), 3L * (1 << 19) + 99, 30_000, 32);
        String second = backup(root2, data2);
        long packsBefore = StoreFiles.packBytes(store);

        JsonNode deleted = ok(CliRunner.run(store, "--json", "delete", first)).json();
        assertThat(deleted.get("deleted").get(0).asText()).isEqualTo(first);
        assertThat(StoreFiles.packBytes(store)).as("delete alone frees no pack bytes").isEqualTo(packsBefore);

        JsonNode gc = ok(CliRunner.run(store, "--json", "gc")).json();
        assertThat(gc.get("dryRun").asBoolean()).isFalse();
        assertThat(gc.get("restorePoints").asInt()).isEqualTo(1);
        assertThat(gc.get("chunksRemoved").asLong()).isPositive();
        assertThat(gc.get("bytesFreed").asLong()).isPositive();
        long packsAfter = StoreFiles.packBytes(store);
        assertThat(packsAfter).isLessThan(packsBefore);
        assertThat(gc.get("bytesAfter").asLong()).isEqualTo(packsAfter);

        assertThat(ids()).containsExactly(second);
        Path out = Files.createDirectory(dir.resolve("out"));
        ok(CliRunner.run(store, "restore", second, out.toString()));
        assertThat(TestImages.sha256(out.resolve("root.raw"))).isEqualTo(TestImages.sha256(root2));
        assertThat(TestImages.sha256(out.resolve("data.raw"))).isEqualTo(TestImages.sha256(data2));
        ok(CliRunner.run(store, "verify"));
    }

    /**
     * Fails today: Store.now() adds 1 ms per call when called faster than the wall clock ticks,
     * and a backup calls it per chunk lookup, so 8192 deduplicated 4 KiB chunks push the clock
     * seconds ahead and the restore point is named after a time that has not come yet.
     */
    @Test
    void aRestorePointIsNamedAfterTheTimeItWasTaken() throws IOException {
        Path store4k = dir.resolve("store4k");
        Path repetitive = repetitive(dir.resolve("rep.img"));
        ok(CliRunner.run(store4k, "init", "--chunk-size", "4K", "--pack-size", "1M"));
        ok(CliRunner.run(store4k, "backup", "--vm", "warm", repetitive.toString()));

        String id = ok(CliRunner.run(store4k, "--json", "backup", "--vm", "vm1", repetitive.toString())).json().get("id").asText();
        long after = System.currentTimeMillis();
        long named = RestorePointId.parse(id).time().toEpochMilli();
        assertThat(named).as("%s taken before %s", id, Instant.ofEpochMilli(after)).isLessThanOrEqualTo(after);
    }

    /** Fails today, for the reason above: chunks written late in a long backup are touched "in the future". */
    @Test
    void gcRightAfterDeleteFreesTheDeletedRestorePointsChunks() throws IOException {
        Path store4k = dir.resolve("store4k");
        Path repetitive = repetitive(dir.resolve("rep.img"));
        Path unique = TestImages.mixed(dir.resolve("unique.img"), 1 << 20, 1 << 20, 41);
        ok(CliRunner.run(store4k, "init", "--chunk-size", "4K", "--pack-size", "1M"));
        ok(CliRunner.run(store4k, "backup", "--vm", "warm", repetitive.toString()));
        long packsBefore = StoreFiles.packBytes(store4k);
        String id = ok(CliRunner.run(store4k, "--json", "backup", "--vm", "vm1", repetitive.toString(), unique.toString()))
                .json().get("id").asText();

        ok(CliRunner.run(store4k, "delete", id));
        JsonNode gc = ok(CliRunner.run(store4k, "--json", "gc")).json();
        assertThat(StoreFiles.packBytes(store4k)).as("gc after deleting %s: %s", id, gc).isEqualTo(packsBefore);
    }

    /** Fails today: VerifyReport.ok() is not a record component, so --json has no "ok" field. */
    @Test
    void verifyJsonSaysOk() throws IOException {
        backup(root, data);
        Result r = ok(CliRunner.run(store, "--json", "verify"));
        JsonNode v = r.json();
        assertThat(v.get("packsChecked").asInt()).isPositive();
        assertThat(v.get("chunksChecked").asLong()).isPositive();
        assertThat(v.get("badChunks")).isEmpty();
        assertThat(v.get("badPacks")).isEmpty();
        assertThat(v.get("missingChunks").asLong()).isZero();
        assertThat(v.get("corruptManifests")).isEmpty();
        assertThat(v.get("affectedRestorePoints")).isEmpty();
        assertThat(v.has("ok")).as("verify --json has an overall \"ok\": %s", r.out()).isTrue();
        assertThat(v.get("ok").asBoolean()).isTrue();
    }

    /** 32 MiB of one random 4 KiB block repeated: at 4 KiB chunks, 8192 slots and one chunk. */
    private static Path repetitive(Path file) throws IOException {
        byte[] block = new byte[4096];
        new java.util.Random(40).nextBytes(block);
        try (var out = Files.newOutputStream(file)) {
            for (int i = 0; i < 8192; i++) {
                out.write(block);
            }
        }
        return file;
    }

    private String backup(Path... images) {
        List<String> args = new ArrayList<>(List.of("--json", "backup", "--vm", "web01", "--disk", "root,data"));
        for (Path p : images) {
            args.add(p.toString());
        }
        return ok(CliRunner.run(store, args.toArray(String[]::new))).json().get("id").asText();
    }

    private List<String> ids() {
        List<String> ids = new ArrayList<>();
        ok(CliRunner.run(store, "--json", "list")).json().forEach(row -> ids.add(row.get("id").asText()));
        return ids;
    }

    private static List<String> names(JsonNode disks) {
        List<String> names = new ArrayList<>();
        disks.forEach(d -> names.add(d.get("name").asText()));
        return names;
    }

    private static Result ok(Result r) {
        assertThat(r.exit()).as("%s", r).isEqualTo(ExitCode.OK);
        return r;
    }
}
