import io.lifeboat.restore.files.FileRestore;
import io.lifeboat.restore.files.FileRestoreSessions;
import io.lifeboat.restore.files.GuestPath;
import io.lifeboat.store.BackupSession;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreConfig;
import io.lifeboat.store.ingest.Ingester;
import io.lifeboat.store.manifest.Manifest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * File-level restore from a restore point of one disk image: the image is ingested into a fresh
 * store, a session is opened on it (the NBD export and guestfish's appliance) and timed to its
 * first listing and the next ones, a file download and a directory as tar. Prints key=value
 * lines for bench/file-restore-bench.sh.
 *
 * java -cp RESTORE_AGENT_CLASSPATH bench/FileRestoreBench.java IMAGE.raw STORE_DIR RUN_DIR FS FIRST_DIR NEXT_DIR FILE TAR_DIR
 */
public class FileRestoreBench {
    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        String fs = args[3];
        try (Store store = Store.init(Path.of(args[1]), StoreConfig.defaults())) {
            long t = System.nanoTime();
            Manifest point;
            try (BackupSession s = store.beginBackup("bench")) {
                Ingester.forThisMachine(store.config().zstdLevel()).ingestImage(s, "vda", image, Progress.none());
                point = s.commit(Manifest.Kind.FULL, Manifest.Consistency.OFFLINE, "", "", Map.of());
            }
            System.out.printf("ingest_s=%.2f%n", (System.nanoTime() - t) / 1e9);
            boolean tcg = !"0".equals(System.getenv("FORCE_TCG"));
            try (FileRestoreSessions sessions = new FileRestoreSessions(Path.of(args[2]), Duration.ofMinutes(10), 1,
                    new FileRestore.Options(tcg, 64))) {
                t = System.nanoTime();
                FileRestore session = sessions.open(point, store.chunks());
                System.out.printf("open_ms=%d%n", ms(t));
                System.out.printf("launch_ms=%d%n", session.launchTime().toMillis());
                System.out.printf("filesystems=%s%n", session.filesystems());
                t = System.nanoTime();
                int n = session.list(fs, GuestPath.of(args[4])).size();
                System.out.printf("first_listing_ms=%d entries=%d%n", ms(t), n);
                t = System.nanoTime();
                n = session.list(fs, GuestPath.of(args[5])).size();
                System.out.printf("next_listing_ms=%d entries=%d%n", ms(t), n);
                t = System.nanoTime();
                n = session.list(fs, GuestPath.of(args[4])).size();
                System.out.printf("again_listing_ms=%d entries=%d%n", ms(t), n);
                t = System.nanoTime();
                try (FileRestore.Download d = session.download(fs, GuestPath.of(args[6]))) {
                    System.out.printf("download_ms=%d bytes=%d%n", ms(t), d.sizeBytes());
                }
                t = System.nanoTime();
                try (FileRestore.Download d = session.tar(fs, GuestPath.of(args[7]))) {
                    System.out.printf("tar_ms=%d bytes=%d%n", ms(t), d.sizeBytes());
                }
                t = System.nanoTime();
                session.close();
                System.out.printf("close_ms=%d%n", ms(t));
            }
        }
    }

    private static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }
}
