package io.lifeboat.store.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.cli.ExitCode;
import io.lifeboat.store.Store;
import io.lifeboat.store.cli.CliRunner.Result;
import io.lifeboat.testkit.TestImages;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Each mistake a user can make gets one clear message on stderr, its own exit code, no stack
 * trace, and leaves the store as it was.
 */
class BadInputTest {
    private static final String UNKNOWN_ID = "vm1/20200101T000000.000Z";

    @TempDir
    Path dir;
    private Path store;
    private Path image;
    private String id;

    @BeforeEach
    void storeWithOneRestorePoint() throws IOException {
        store = dir.resolve("store");
        ok(CliRunner.run(store, "init", "--chunk-size", "64K", "--pack-size", "1M"));
        image = TestImages.mixed(dir.resolve("disk.img"), 2L * (1 << 20) + 777, 40_000, 7);
        id = ok(CliRunner.run(store, "--json", "backup", "--vm", "vm1", image.toString())).json().get("id").asText();
    }

    // --- backup sources

    @Test
    void backupOfADirectory() throws IOException {
        refused(ExitCode.USAGE, List.of(dir.toString(), "is not a file", "directory"),
                "backup", "--vm", "vm1", dir.toString());
    }

    @Test
    void backupOfAMissingPath() throws IOException {
        Path missing = dir.resolve("no-such.img");
        refused(ExitCode.USAGE, List.of(missing.toString(), "no such file"), "backup", "--vm", "vm1", missing.toString());
    }

    @Test
    void backupOfACharacterDevice() throws IOException {
        refused(ExitCode.USAGE, List.of("/dev/null", "is not a file"), "backup", "--vm", "vm1", "/dev/null");
    }

    @Test
    void oneBadImageAmongGoodOnesStoresNothing() throws IOException {
        refused(ExitCode.USAGE, List.of("/dev/null"), "backup", "--vm", "vm2", image.toString(), "/dev/null");
    }

    @Test
    void invalidVmName() throws IOException {
        refused(ExitCode.USAGE, List.of("invalid VM name"), "backup", "--vm", "../etc", image.toString());
    }

    // --- damaged manifests

    enum Damage {
        EMPTY, TRUNCATED_TO_20_BYTES, TRUNCATED_TO_HALF, LAST_BYTE_CUT, MAGIC_FLIPPED, MIDDLE_BYTE_FLIPPED, CHECKSUM_FLIPPED;

        void apply(Path f) throws IOException {
            byte[] b = Files.readAllBytes(f);
            byte[] out = switch (this) {
                case EMPTY -> new byte[0];
                case TRUNCATED_TO_20_BYTES -> Arrays.copyOf(b, 20);
                case TRUNCATED_TO_HALF -> Arrays.copyOf(b, b.length / 2);
                case LAST_BYTE_CUT -> Arrays.copyOf(b, b.length - 1);
                case MAGIC_FLIPPED -> flip(b, 0);
                case MIDDLE_BYTE_FLIPPED -> flip(b, b.length / 2);
                case CHECKSUM_FLIPPED -> flip(b, b.length - 1);
            };
            Files.write(f, out);
        }

        private static byte[] flip(byte[] b, int at) {
            byte[] c = b.clone();
            c[at] ^= 0x10;
            return c;
        }
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void aDamagedManifestIsReportedAsCorruptNamingTheRestorePoint(Damage damage) throws IOException {
        damage.apply(manifestFile(id));
        Path target = dir.resolve("restored.raw");

        refused(ExitCode.CORRUPT, List.of("manifest " + id), "show", id);
        refused(ExitCode.CORRUPT, List.of("manifest " + id), "restore", id, target.toString());
        assertThat(target).doesNotExist();
        // list still lists: the damaged point is marked, and the exit code says something is wrong
        Result list = CliRunner.run(store, "--json", "list");
        assertThat(list.exit()).as("%s", list).isEqualTo(ExitCode.CORRUPT);
        assertThat(list.json()).singleElement().satisfies(row -> {
            assertThat(row.get("id").asText()).isEqualTo(id);
            assertThat(row.get("damaged").asText()).contains("manifest " + id);
        });
        assertThat(list.err()).contains("damaged manifest").doesNotContain("Exception");
        // GC must not sweep the chunks of a manifest it cannot read
        refused(ExitCode.CORRUPT, List.of("manifest " + id), "gc");

        Map<String, String> before = StoreFiles.snapshot(store);
        Result verify = CliRunner.run(store, "--json", "verify");
        assertThat(verify.exit()).as("%s", verify).isEqualTo(ExitCode.CORRUPT);
        assertThat(verify.json().get("corruptManifests").toString()).contains(id);
        assertThat(StoreFiles.snapshot(store)).isEqualTo(before);

        // The way out: delete does not need to read the manifest.
        ok(CliRunner.run(store, "delete", id));
        assertThat(ok(CliRunner.run(store, "--json", "list")).json()).isEmpty();
        ok(CliRunner.run(store, "verify"));
    }

    // --- not a store, or another version of one

    @Test
    void aStoreOfAnotherFormatVersion() throws IOException {
        Path config = store.resolve(Store.CONFIG_FILE);
        String json = Files.readString(config);
        assertThat(json).containsPattern("\"version\"\\s*:\\s*1\\b");
        Files.writeString(config, json.replaceFirst("(\"version\"\\s*:\\s*)1\\b", "$12"));

        for (String[] args : List.of(new String[] {"list"}, new String[] {"show", id}, new String[] {"verify"},
                new String[] {"gc"}, new String[] {"backup", "--vm", "vm1", image.toString()},
                new String[] {"restore", id, dir.resolve("out.raw").toString()})) {
            refused(ExitCode.NOT_A_STORE, List.of("format version 2", "reads version 1"), args);
        }
        assertThat(dir.resolve("out.raw")).doesNotExist();
    }

    @Test
    void aDirectoryThatIsNotAStore() throws IOException {
        Path notStore = Files.createDirectory(dir.resolve("photos"));
        Files.writeString(notStore.resolve("cat.jpg"), "meow");
        Map<String, String> before = StoreFiles.snapshot(notStore);
        for (String verb : List.of("list", "verify", "gc")) {
            Result r = CliRunner.run(notStore, verb);
            assertRefusal(r, ExitCode.NOT_A_STORE, List.of(notStore.toString(), "is not a Lifeboat store"));
        }
        assertRefusal(CliRunner.run(notStore, "backup", "--vm", "vm1", image.toString()),
                ExitCode.NOT_A_STORE, List.of("is not a Lifeboat store"));
        assertThat(StoreFiles.snapshot(notStore)).as("no lock file, no index, nothing").isEqualTo(before);

        Path missing = dir.resolve("nowhere");
        assertRefusal(CliRunner.run(missing, "list"), ExitCode.NOT_A_STORE, List.of("is not a Lifeboat store"));
        assertThat(missing).doesNotExist();
    }

    @Test
    void aStoreInUse() throws IOException {
        try (Store held = Store.open(store)) {
            refused(ExitCode.CONFLICT, List.of("in use"), "list");
            refused(ExitCode.CONFLICT, List.of("in use"), "backup", "--vm", "vm1", image.toString());
        }
        ok(CliRunner.run(store, "list"));
    }

    // --- restore point ids

    @Test
    void anUnknownRestorePoint() throws IOException {
        Path target = dir.resolve("out.raw");
        refused(ExitCode.NOT_FOUND, List.of("no restore point " + UNKNOWN_ID), "show", UNKNOWN_ID);
        refused(ExitCode.NOT_FOUND, List.of("no restore point " + UNKNOWN_ID), "restore", UNKNOWN_ID, target.toString());
        refused(ExitCode.NOT_FOUND, List.of("no restore point vm9/"), "show", "vm9/20200101T000000.000Z");
        assertThat(target).doesNotExist();
        refused(ExitCode.NOT_FOUND, List.of("no restore point " + UNKNOWN_ID, "nothing deleted"), "delete", UNKNOWN_ID);
        // a known id before the unknown one is not deleted either
        refused(ExitCode.NOT_FOUND, List.of("no restore point " + UNKNOWN_ID, "nothing deleted"), "delete", id, UNKNOWN_ID);
        refused(ExitCode.NOT_FOUND, List.of("has no disk vdz"), "restore", id, target.toString(), "--disk", "vdz");
    }

    @ParameterizedTest
    @ValueSource(strings = {"vm1", "vm1/", "vm1/yesterday", "vm1/20261127T070102Z", "/20261127T070102.123Z",
            "../etc/20261127T070102.123Z", "vm 1/20261127T070102.123Z"})
    void aMalformedRestorePointId(String bad) throws IOException {
        Path target = dir.resolve("out.raw");
        refused(ExitCode.USAGE, List.of("invalid"), "show", bad);
        refused(ExitCode.USAGE, List.of("invalid"), "restore", bad, target.toString());
        refused(ExitCode.USAGE, List.of("invalid"), "delete", bad);
        assertThat(target).doesNotExist();
    }

    /** Fails today: see DeleteCommand, which checks ids one by one but deletes a repeated id twice. */
    @Test
    void deletingTheSameRestorePointTwiceInOneCommandDeletesItOnce() {
        Result r = CliRunner.run(store, "delete", id, id);
        assertThat(r.exit()).as("%s", r).isEqualTo(ExitCode.OK);
        assertThat(ok(CliRunner.run(store, "--json", "list")).json()).isEmpty();
    }

    // --- restore targets

    @Test
    void restoreOntoAnExistingFileNeedsForce() throws IOException {
        Path targets = Files.createDirectory(dir.resolve("targets"));
        Path target = Files.writeString(targets.resolve("precious.raw"), "do not overwrite me");
        Files.setLastModifiedTime(target, FileTime.fromMillis(1_000_000_000_000L));
        Map<String, String> targetDir = StoreFiles.snapshot(targets);

        refused(ExitCode.CONFLICT, List.of(target.toString(), "exists", "--force"), "restore", id, target.toString());
        assertThat(Files.readString(target)).isEqualTo("do not overwrite me");
        assertThat(StoreFiles.snapshot(targets)).as("file untouched, no partial file left").isEqualTo(targetDir);

        ok(CliRunner.run(store, "restore", id, target.toString(), "--force"));
        assertThat(TestImages.sha256(target)).isEqualTo(TestImages.sha256(image));
    }

    @Test
    void restoreIntoAMissingDirectory() throws IOException {
        Path target = dir.resolve("no-such-dir").resolve("out.raw");
        refused(ExitCode.USAGE, List.of("does not exist"), "restore", id, target.toString());
        assertThat(target.getParent()).doesNotExist();
    }

    // --- full disks

    @Test
    void aBackupThatFillsTheDiskFailsClearlyAndLeavesNoRestorePoint() throws Exception {
        Path mnt = Files.createDirectory(dir.resolve("tmpfs"));
        Path big = incompressible(dir.resolve("big.img"), 32 << 20, 11);
        try (Tmpfs tmpfs = Tmpfs.mount(mnt, "8m")) {
            Path onTmpfs = mnt.resolve("store");
            ok(CliRunner.run(onTmpfs, "init", "--chunk-size", "64K", "--pack-size", "1M"));
            ok(CliRunner.run(onTmpfs, "backup", "--vm", "vm1", image.toString()));
            List<String> points = ids(onTmpfs);
            Map<String, String> before = StoreFiles.snapshot(onTmpfs);
            long packsBefore = StoreFiles.packBytes(onTmpfs);

            Result r = CliRunner.run(onTmpfs, "backup", "--vm", "vm1", big.toString());
            assertRefusal(r, ExitCode.NO_SPACE, List.of("no space left on device"));
            assertThat(onTmpfs.resolve("packs/.tmp")).as("no unsealed pack left").isEmptyDirectory();
            assertThat(onTmpfs.resolve("manifests/.tmp")).as("no unfinished manifest left").isEmptyDirectory();
            assertThat(StoreFiles.packBytes(onTmpfs)).as("some packs were sealed before the disk filled up")
                    .isGreaterThan(packsBefore);

            // Free space, as the user would, then look: no new restore point, nothing changed but
            // the packs the failed backup sealed (gc's to collect), the old restore point intact.
            tmpfs.resize("64m");
            assertThat(ids(onTmpfs)).as("no new restore point").isEqualTo(points);
            ok(CliRunner.run(onTmpfs, "verify"));
            ok(CliRunner.run(onTmpfs, "gc"));
            assertThat(withoutPacks(StoreFiles.snapshot(onTmpfs))).isEqualTo(withoutPacks(before));
            Path out = dir.resolve("out.raw");
            ok(CliRunner.run(onTmpfs, "restore", points.get(0), out.toString()));
            assertThat(TestImages.sha256(out)).isEqualTo(TestImages.sha256(image));
        }
        assertThat(mnt).as("unmounted").isEmptyDirectory();
    }

    /** Fails today: DiskRestorer casts the worker's IOException to RuntimeException (ClassCastException, exit 1). */
    @Test
    void aRestoreOntoAFullDiskFailsClearlyAndLeavesNoFile() throws Exception {
        Path big = incompressible(dir.resolve("big.img"), 3 << 20, 12);
        String bigId = ok(CliRunner.run(store, "--json", "backup", "--vm", "vm2", big.toString())).json().get("id").asText();
        Path mnt = Files.createDirectory(dir.resolve("tmpfs"));
        try (Tmpfs ignored = Tmpfs.mount(mnt, "1m")) {
            Path target = mnt.resolve("out.raw");
            refused(ExitCode.NO_SPACE, List.of("no space left on device"), "restore", bigId, target.toString());
            assertThat(mnt).as("neither the target nor a partial file").isEmptyDirectory();
        }
    }

    // --- init

    @Test
    void initIntoANonEmptyDirectory() throws IOException {
        Path other = Files.createDirectory(dir.resolve("other"));
        Files.writeString(other.resolve("notes.txt"), "mine");
        Map<String, String> before = StoreFiles.snapshot(other);
        assertRefusal(CliRunner.run(other, "init"), ExitCode.CONFLICT, List.of(other.toString(), "not empty"));
        assertThat(StoreFiles.snapshot(other)).isEqualTo(before);

        refused(ExitCode.CONFLICT, List.of("already a Lifeboat store"), "init");
    }

    @ParameterizedTest
    @ValueSource(strings = {"3K", "banana", "-64K", "32M", "4G"})
    void initWithABadChunkSize(String size) {
        Path fresh = dir.resolve("fresh");
        Result r = CliRunner.run(fresh, "init", "--chunk-size", size);
        assertRefusal(r, ExitCode.USAGE, List.of());
        assertThat(r.err()).containsAnyOf("chunk size", "not a size");
        assertThat(fresh).doesNotExist();
    }

    // --- usage

    @ParameterizedTest
    @ValueSource(strings = {"init", "backup", "list", "show", "restore", "verify", "gc", "delete"})
    void helpOnEveryVerb(String verb) {
        Result r = CliRunner.run(verb, "--help");
        assertThat(r.exit()).as("%s", r).isEqualTo(ExitCode.OK);
        assertThat(r.out()).startsWith("Usage: lifeboat-store " + verb).contains("--store", "--json");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void helpOnTheCommandListsTheVerbsAndExitCodes() {
        Result r = CliRunner.run("--help");
        assertThat(r.exit()).isEqualTo(ExitCode.OK);
        assertThat(r.out()).contains("init", "backup", "list", "show", "restore", "verify", "gc", "delete", "Exit codes");
    }

    @Test
    void unknownOptionsAndVerbs() throws IOException {
        refused(ExitCode.USAGE, List.of("Unknown option: '--bogus'", "list --help"), "list", "--bogus");
        refused(ExitCode.USAGE, List.of("Unknown option: '--frobnicate'"), "backup", "--vm", "vm1", "--frobnicate", image.toString());
        refused(ExitCode.USAGE, List.of("Unknown option: '--nope'"), "--nope", "list");
        refused(ExitCode.USAGE, List.of("Unmatched argument", "'bogus'"), "bogus");
        refused(ExitCode.USAGE, List.of("Missing required option", "--vm"), "backup", image.toString());
    }

    // --- helpers

    /** Runs the CLI on the store: refused with {@code exit}, a message containing {@code parts}, and no change to the store. */
    private void refused(int exit, List<String> parts, String... args) throws IOException {
        Map<String, String> before = StoreFiles.snapshot(store);
        Result r = CliRunner.run(store, args);
        assertRefusal(r, exit, parts);
        assertThat(StoreFiles.snapshot(store)).as("store unchanged by %s", String.join(" ", args)).isEqualTo(before);
    }

    private static void assertRefusal(Result r, int exit, List<String> parts) {
        assertThat(r.exit()).as("%s", r).isEqualTo(exit);
        assertThat(r.out()).as("nothing on stdout: %s", r).isEmpty();
        assertThat(r.err()).as("%s", r).startsWith("lifeboat-store: ").doesNotContain("\tat ", "Exception", "internal error");
        for (String p : parts) {
            assertThat(r.err()).as("%s", r).contains(p);
        }
    }

    private static Map<String, String> withoutPacks(Map<String, String> snapshot) {
        Map<String, String> rest = new TreeMap<>(snapshot);
        rest.keySet().removeIf(p -> p.startsWith("packs/"));
        return rest;
    }

    private Path manifestFile(String restorePoint) throws IOException {
        String[] vmAndTime = restorePoint.split("/");
        Path f = store.resolve("manifests").resolve(vmAndTime[0]).resolve(vmAndTime[1] + ".manifest");
        assertThat(f).isRegularFile();
        return f;
    }

    private static List<String> ids(Path store) {
        return ids(store, "");
    }

    private static List<String> ids(Path store, String context) {
        List<String> ids = new ArrayList<>();
        ok(CliRunner.run(store, "--json", "list"), context).json().forEach((JsonNode row) -> ids.add(row.get("id").asText()));
        return ids;
    }

    private static Path incompressible(Path file, int size, long seed) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            TestImages.write(f, 0, size, TestImages.Fill.RANDOM, new Random(seed));
        }
        return file;
    }

    private static Result ok(Result r) {
        return ok(r, "");
    }

    private static Result ok(Result r, String context) {
        assertThat(r.exit()).as("%s%s", r, context).isEqualTo(ExitCode.OK);
        return r;
    }

    /** A small tmpfs, so that a full disk is real; unmounted on close. Needs root. */
    private record Tmpfs(Path dir) implements AutoCloseable {
        static Tmpfs mount(Path dir, String size) throws Exception {
            int rc = exec("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
            assumeTrue(rc == 0, "cannot mount a tmpfs here (needs root)");
            return new Tmpfs(dir);
        }

        /** df and the files on the tmpfs, for failure messages. */
        String describe() throws Exception {
            Process p = new ProcessBuilder("sh", "-c", "df -k " + dir + "; find " + dir + " -type f -exec ls -l {} +; grep -ih -B2 -A2 'space\\|error' " + dir + "/*/index/LOG | tail -30")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return "\n--- tmpfs after the failed backup\n" + out;
        }

        void resize(String size) throws Exception {
            assertThat(exec("mount", "-o", "remount,size=" + size, dir.toString())).as("remount " + dir).isZero();
        }

        @Override
        public void close() throws Exception {
            if (exec("umount", dir.toString()) != 0) {
                assertThat(exec("umount", "-l", dir.toString())).as("umount -l " + dir).isZero();
            }
        }

        private static int exec(String... cmd) throws Exception {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        }
    }
}
