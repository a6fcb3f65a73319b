package io.lifeboat.restore.instant;

import io.lifeboat.restore.RestoreException;
import io.lifeboat.store.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The session lock between two processes (a second JVM) and between two runs in one. */
class SessionLockTest {
    @TempDir
    Path dir;

    /** Run as its own process: takes the lock, says so, and keeps it until its stdin closes. */
    public static void main(String[] args) throws Exception {
        try (SessionLock ignored = SessionLock.acquire(Path.of(args[0]), "session cafe0001")) {
            System.out.println("locked");
            System.out.flush();
            System.in.read();
        }
    }

    @Test
    void anotherProcessHoldingTheSessionIsNamedAndTheLockIsFreeOnceItIsGone() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), SessionLockTest.class.getName(),
                dir.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String line = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(line).isEqualTo("locked");
            assertThatThrownBy(() -> SessionLock.acquire(dir, "session cafe0001"))
                    .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.kind()).as(e.getMessage()).isEqualTo(StoreException.Kind.CONFLICT))
                    .hasMessage("session cafe0001 is being served by another process (pid " + holder.pid()
                            + "); stop that one first, or let it finish");
        } finally {
            holder.getOutputStream().close();
            holder.waitFor();
        }
        try (SessionLock mine = SessionLock.acquire(dir, "session cafe0001")) {
            assertThat(mine).isNotNull();
        }
    }

    @Test
    void aSecondRunInThisProcessIsRefusedWithoutDroppingTheFirstOnesLock() throws Exception {
        try (SessionLock first = SessionLock.acquire(dir, "session cafe0001")) {
            assertThatThrownBy(() -> SessionLock.acquire(dir, "session cafe0001"))
                    .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.CONFLICT))
                    .hasMessageContaining("another run in this process");
            // the refusal must not have opened and closed the file: that would drop the held lock
            String java = ProcessHandle.current().info().command().orElse("java");
            Process other = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    SessionLockTest.class.getName(), dir.toString()).redirectErrorStream(true).start();
            other.getOutputStream().close();
            String out = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(other.waitFor()).as(out).isNotZero();
            assertThat(out).contains("being served by another process (pid " + ProcessHandle.current().pid() + ")");
        }
    }
}
