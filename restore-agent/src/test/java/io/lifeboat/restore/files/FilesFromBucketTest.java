package io.lifeboat.restore.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.lifeboat.restore.TestImages;
import io.lifeboat.restore.agent.RestoreAgent;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreConfig;
import io.lifeboat.store.BackupSession;
import io.lifeboat.store.ingest.Ingester;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.replication.Replicator;
import io.lifeboat.store.replication.S3Settings;
import io.lifeboat.store.replication.S3Target;
import io.lifeboat.testkit.ConsoleCapture;
import io.lifeboat.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File-level restore at a recovery site that has nothing but the bucket: a disk with a GPT
 * partition holding ext4 is backed up and replicated, the store deleted, then
 * {@code restore-agent --bucket … files} lists the file systems and {@code /etc}, and writes
 * {@code /etc/hostname} and {@code /var/log} as a tar with the bytes the disk had.
 */
class FilesFromBucketTest {

    private static final String BUCKET = "files-site";
    private static final String HOSTNAME = "bucket01.example\n";

    @TempDir
    Path dir;

    @Test
    void filesOfARestorePointComeFromTheBucketAlone() throws Exception {
        Path disk = dir.resolve("vda.raw");
        TestImages.run("env", "LIBGUESTFS_BACKEND=direct", "LIBGUESTFS_BACKEND_SETTINGS=force_tcg", "guestfish",
                "-N", disk + "=disk:48M", "--", "part-disk", "/dev/sda", "gpt", ":", "mkfs", "ext4", "/dev/sda1",
                "label:site", ":", "mount", "/dev/sda1", "/", ":", "mkdir-p", "/etc", ":", "write", "/etc/hostname",
                HOSTNAME, ":", "mkdir-p", "/var/log", ":", "write", "/var/log/messages", "replicated\n", ":", "umount-all");
        try (S3ProxyServer s3 = S3ProxyServer.start(dir.resolve("s3"), BUCKET)) {
            String point;
            Path storeDir = dir.resolve("site-a");
            try (Store store = Store.init(storeDir, StoreConfig.defaults());
                 S3Target target = new S3Target(S3Settings.of(s3.endpoint(), s3.region(), BUCKET, s3.accessKey(),
                         s3.secretKey()).withMaxAttempts(3))) {
                try (BackupSession s = store.beginBackup("files01")) {
                    Ingester.forThisMachine(store.config().zstdLevel()).ingestImage(s, "vda", disk, Progress.none());
                    point = s.commit(Manifest.Kind.FULL, Manifest.Consistency.OFFLINE, "", "", Map.of()).id().toString();
                }
                assertThat(new Replicator(store, target).run(Progress.none()).ok()).isTrue();
            }
            try (var files = Files.walk(storeDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            String[] bucket = {"--bucket", BUCKET, "--endpoint", s3.endpoint().toString(), "--access-key",
                    S3ProxyServer.IDENTITY, "--secret-key", S3ProxyServer.CREDENTIAL, "--cache", dir.resolve("cache").toString()};

            assertThat(agent(bucket, "files", point)).contains("/dev/sda1").contains("ext4").contains("site");
            assertThat(agent(bucket, "files", point, "--fs", "/dev/sda1", "--ls", "/etc")).contains("0644").contains("hostname");
            Path hostname = dir.resolve("hostname");
            agent(bucket, "files", point, "--get", "/etc/hostname", "-o", hostname.toString());
            assertThat(Files.readString(hostname)).isEqualTo(HOSTNAME);
            Path tar = dir.resolve("log.tar");
            agent(bucket, "files", point, "--tar", "/var/log", "-o", tar.toString());
            Path out = Files.createDirectories(dir.resolve("untarred"));
            TestImages.run("tar", "-xf", tar.toString(), "-C", out.toString());
            assertThat(Files.readString(out.resolve("messages"))).isEqualTo("replicated\n");

            ConsoleCapture.Run missing = run(bucket, "files", point, "--get", "/etc/shadow", "-o", dir.resolve("x").toString());
            assertThat(missing.exit()).as(missing.err()).isEqualTo(io.lifeboat.cli.ExitCode.NOT_FOUND);
            assertThat(missing.err()).contains("/etc/shadow");
            assertThat(dir.resolve("x")).doesNotExist();
            ConsoleCapture.Run taken = run(bucket, "files", point, "--get", "/etc/hostname", "-o", hostname.toString());
            assertThat(taken.exit()).isEqualTo(io.lifeboat.cli.ExitCode.CONFLICT);
        }
    }

    private static String agent(String[] bucket, String... verb) {
        ConsoleCapture.Run r = run(bucket, verb);
        assertThat(r.exit()).as("restore-agent %s\n%s\n%s", String.join(" ", verb), r.out(), r.err()).isZero();
        return r.out();
    }

    private static ConsoleCapture.Run run(String[] bucket, String... verb) {
        String[] args = new String[bucket.length + verb.length];
        System.arraycopy(bucket, 0, args, 0, bucket.length);
        System.arraycopy(verb, 0, args, bucket.length, verb.length);
        return ConsoleCapture.run(() -> RestoreAgent.run(args));
    }
}
