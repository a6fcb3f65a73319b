package io.lifeboat.tests.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first {@code scripts/lifeboat --help} of a fresh clone builds what it needs (compile only,
 * no tests) and prints the help and nothing else: no build output, no escape codes on stderr.
 * The clone is of the repository's committed state.
 */
class LauncherTest {

    @TempDir
    Path dir;

    @Test
    void aFreshClonesFirstHelpPrintsOnlyTheHelp() throws Exception {
        Path top = Path.of("").toAbsolutePath().getParent();
        Path clone = dir.resolve("lifeboat");
        assertThat(run(dir, List.of("git", "clone", "-q", top.toString(), clone.toString())).exit).isZero();
        assertThat(clone.resolve("cli/target")).doesNotExist();

        Run help = run(clone, List.of("scripts/lifeboat", "--help"));

        assertThat(help.exit).as(help.err).isZero();
        assertThat(help.out).startsWith("Usage: lifeboat").contains("Exit codes:");
        assertThat(help.err).as("nothing but the help").isEmpty();
        assertThat(clone.resolve("cli/target/classpath.txt")).exists();
        assertThat(clone.resolve("cli/target/test-classes")).as("tests were not compiled").doesNotExist();

        Run again = run(clone, List.of("scripts/lifeboat", "--help"));
        assertThat(again.exit).isZero();
        assertThat(again.out).isEqualTo(help.out);
        assertThat(again.err).isEmpty();
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(Path in, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("launcher", ".out");
        Path err = Files.createTempFile("launcher", ".err");
        try {
            Process p = new ProcessBuilder(command).directory(in.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(command + " did not end within 10 minutes");
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
