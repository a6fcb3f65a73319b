package io.lifeboat.store.crash;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.store.cli.CliRunner;
import io.lifeboat.store.cli.CliRunner.Child;
import io.lifeboat.store.cli.CliRunner.Result;
import io.lifeboat.cli.ExitCode;
import io.lifeboat.testkit.TestImages;
import io.lifeboat.testkit.TestImages.Fill;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 during a backup, in a child JVM, at each named step of the commit protocol and at random
 * moments. Afterwards the store must verify, every restore point it shows must restore bit-exact,
 * and the same backup must simply run again.
 */
class CrashTest {
    private static final Duration CRASH_DEADLINE = Duration.ofSeconds(60);
    private static final int MIB = 1 << 20;
    /** Off the 64 KiB grid, so the last slot is short. */
    private static final long IMAGE_SIZE = 11L * MIB + 12_345;
    private static final long BASE_SEED = 1;

    @TempDir
    Path dir;
    private Path store;
    private Path base;
    private final Map<Path, String> sourceSums = new HashMap<>();

    /**
     * One crash point, and a pattern for what opening the store afterwards must report having
     * repaired (null: nothing was left half done).
     */
    record CrashCase(String spec, String repairNote) {
        String name() {
            int colon = spec.indexOf(':');
            return colon < 0 ? spec : spec.substring(0, colon);
        }

        @Override
        public String toString() {
            return spec;
        }
    }

    static Stream<CrashCase> crashPoints() {
        // Packs are sealed in the background, so several may be unsealed when a kill lands.
        String unsealedPacks = "removed [1-9][0-9]* unsealed pack\\(s\\)";
        String unindexedPack = "indexed pack [0-9a-f]{64} sealed by an interrupted run";
        return Stream.of(
                new CrashCase("pack.before-fsync", unsealedPacks),
                new CrashCase("pack.before-fsync:3", unsealedPacks),
                new CrashCase("pack.before-rename", unsealedPacks),
                new CrashCase("pack.before-rename:2", unsealedPacks),
                new CrashCase("pack.before-index", unindexedPack),
                new CrashCase("pack.before-index:3", unindexedPack),
                new CrashCase("index.before-pack-record", unindexedPack),
                new CrashCase("index.before-pack-record:2", unindexedPack),
                new CrashCase("manifest.before-write", null),
                // the manifest is written only once every pack it names is sealed and indexed
                new CrashCase("manifest.before-rename", "removed 0 unsealed pack\\(s\\) and 1 unfinished manifest\\(s\\)"));
    }

    @BeforeEach
    void storeWithOneGoodRestorePoint() throws IOException {
        store = dir.resolve("store");
        ok(CliRunner.run(store, "init", "--chunk-size", "64K", "--pack-size", "1M"));
        base = image(dir.resolve("base.img"), BASE_SEED, false);
        ok(CliRunner.run(store, "backup", "--vm", "vm1", base.toString()));
        assertThat(restorePoints()).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("crashPoints")
    void killAtACrashPointLosesNothingAndTheBackupRunsAgain(CrashCase c) throws Exception {
        Path changed = image(dir.resolve("changed.img"), 100, true);
        List<String> before = restorePoints();

        try (Child child = CliRunner.start(store, List.of("-Dlifeboat.crashpoint=" + c.spec()),
                "backup", "--vm", "vm1", changed.toString())) {
            child.awaitLine("CRASHPOINT " + c.name(), CRASH_DEADLINE);
            Result busy = CliRunner.run(store, "list");
            assertThat(busy.exit()).as("store held by the stopped backup: %s", busy).isEqualTo(ExitCode.CONFLICT);
            assertThat(busy.err()).contains("in use");
            child.kill();
        }

        Result verify = CliRunner.run(store, "verify");
        assertThat(verify.exit()).as("verify after a kill at %s: %s", c, verify).isEqualTo(ExitCode.OK);
        if (c.repairNote() != null) {
            assertThat(verify.err()).as("first open after a kill at %s repairs", c).contains("note: ").containsPattern(c.repairNote());
        } else {
            assertThat(verify.err()).as("nothing to repair after a kill at %s", c).isEmpty();
        }
        // Every crash point comes before the manifest's rename: the interrupted backup left no restore point.
        assertThat(restorePoints()).isEqualTo(before);
        assertEveryRestorePointRestoresBitExact();

        ok(CliRunner.run(store, "backup", "--vm", "vm1", changed.toString()));
        assertThat(restorePoints()).hasSize(before.size() + 1);
        assertEveryRestorePointRestoresBitExact();
        ok(CliRunner.run(store, "verify"));
    }

    /** Fault injection: each round kills a backup after a random delay from its start (or lets it finish). */
    @Test
    void killAtRandomMomentsLosesNothing() throws Exception {
        long seed = 0x5EEDL;
        Random r = new Random(seed);
        for (int round = 0; round < 5; round++) {
            Path image = image(dir.resolve("round" + round + ".img"), 200 + round, true);
            List<String> before = restorePoints();
            long delayMs = 300 + r.nextInt(2200);
            String what = String.format("round %d (seed %#x), kill after %d ms", round, seed, delayMs);
            boolean finished;
            try (Child child = CliRunner.start(store, List.of(), "backup", "--vm", "vm1", image.toString())) {
                Optional<Integer> exit = child.awaitExit(Duration.ofMillis(delayMs));
                finished = exit.isPresent();
                if (finished) {
                    assertThat(exit.get()).as("%s: backup ended first%s", what, child.describe()).isEqualTo(ExitCode.OK);
                } else {
                    child.kill();
                }
            }
            Result verify = CliRunner.run(store, "verify");
            assertThat(verify.exit()).as("%s: %s", what, verify).isEqualTo(ExitCode.OK);
            List<String> after = restorePoints();
            assertThat(after).as(what).containsAll(before);
            // A backup killed between its manifest's rename and its exit (closing the store takes a
            // moment) has committed: its restore point is there, whole. Before the rename, none is.
            assertThat(after.size() - before.size()).as("%s: new restore points%s", what, finished ? "" : " after a kill")
                    .isBetween(finished ? 1 : 0, 1);
            assertEveryRestorePointRestoresBitExact();

            ok(CliRunner.run(store, "backup", "--vm", "vm1", image.toString()));
            assertThat(restorePoints()).as(what).hasSize(after.size() + 1);
        }
        assertEveryRestorePointRestoresBitExact();
        ok(CliRunner.run(store, "verify"));
    }

    /**
     * ~11 MiB with every shape a disk has: noise, written zeros, a hole, a repeated 4 KiB
     * pattern (its 64 KiB chunks are identical), text, and a short last chunk. With
     * {@code changed}, 5 MiB of noise differ from the base image: about five new 1 MiB packs.
     */
    private Path image(Path file, long seed, boolean changed) throws IOException {
        Random r = new Random(BASE_SEED);
        Random c = new Random(seed);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(0);
            f.setLength(IMAGE_SIZE);
            TestImages.write(f, 0, 3 * MIB, Fill.RANDOM, r);
            TestImages.write(f, 3L * MIB, MIB, Fill.ZEROS, r);
            // 4 MiB .. 5 MiB: hole
            TestImages.write(f, 5L * MIB, 3 * MIB / 2, Fill.REPETITIVE, r);
            TestImages.write(f, 13L * MIB / 2, 2 * MIB, Fill.RANDOM, changed ? c : r);
            TestImages.write(f, 17L * MIB / 2, MIB, Fill.TEXT, r);
            // 9.5 MiB .. 10.5 MiB: hole in the base image, noise in a changed one
            if (changed) {
                TestImages.write(f, 19L * MIB / 2, MIB, Fill.RANDOM, c);
                TestImages.write(f, MIB / 2, 2 * MIB, Fill.RANDOM, c);
            }
            TestImages.write(f, 21L * MIB / 2, (int) (IMAGE_SIZE - 21L * MIB / 2), Fill.RANDOM, r);
        }
        sourceSums.put(file.toAbsolutePath(), TestImages.sha256(file));
        return file;
    }

    private List<String> restorePoints() {
        Result list = ok(CliRunner.run(store, "--json", "list"));
        List<String> ids = new ArrayList<>();
        list.json().forEach(row -> ids.add(row.get("id").asText()));
        return ids;
    }

    /** Restores every listed restore point and compares it with the image its manifest names as source. */
    private void assertEveryRestorePointRestoresBitExact() throws IOException {
        Path out = Files.createTempDirectory(dir, "restored");
        int n = 0;
        for (String id : restorePoints()) {
            JsonNode show = ok(CliRunner.run(store, "--json", "show", id)).json();
            Path source = Path.of(show.get("attributes").get("source.vda").asText());
            assertThat(sourceSums).as("source of %s", id).containsKey(source);
            Path target = out.resolve((n++) + ".raw");
            ok(CliRunner.run(store, "restore", id, target.toString()));
            assertThat(Files.size(target)).as(id).isEqualTo(IMAGE_SIZE);
            assertThat(TestImages.sha256(target)).as("restore of %s from %s", id, source).isEqualTo(sourceSums.get(source));
            Files.delete(target);
        }
    }

    private static Result ok(Result r) {
        assertThat(r.exit()).as("%s", r).isEqualTo(ExitCode.OK);
        return r;
    }
}
