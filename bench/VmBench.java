import io.lifeboat.appliance.backup.BackupEngine;
import io.lifeboat.appliance.backup.BackupJob;
import io.lifeboat.appliance.backup.BackupOptions;
import io.lifeboat.appliance.backup.BackupResult;
import io.lifeboat.kvm.libvirt.LibvirtConnection;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreConfig;
import org.libvirt.Connect;
import org.libvirt.Domain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * The changed-block path on a running VM: a TCG VM whose disk is the benchmark image (qcow2),
 * a full backup through libvirt's pull-mode backup, the guest writes given blocks through the
 * QEMU monitor, then an incremental backup. Prints key=value lines for bench/vm-bench.sh.
 *
 * java -cp APPLIANCE_CLASSPATH bench/VmBench.java DISK.qcow2 STORE_DIR RUN_DIR WRITES_FILE
 *
 * WRITES_FILE holds one "offset source-file" line per 64 KiB guest write (qemu-io write -s).
 * The data path of a backup is timed from the first "backup <disk>" progress phase to the end
 * of "commit": reading the disk over NBD, hashing, compressing, storing, committing. The job's
 * whole wall time (libvirt checkpoint and export set-up included) is printed too.
 */
public class VmBench {
    private static final String URI = "qemu:///system";
    private static final int UNDEFINE_METADATA = 2 | 16; // snapshots and checkpoints metadata

    public static void main(String[] args) throws Exception {
        Path disk = Path.of(args[0]).toAbsolutePath();
        Path storeDir = Path.of(args[1]);
        Path runDir = Path.of(args[2]);
        List<String> writes = Files.readAllLines(Path.of(args[3]));
        String name = "lbbench-" + ProcessHandle.current().pid();
        String xml = "<domain type='qemu'><name>" + name + "</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
                + "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='" + disk
                + "'/><target dev='vda' bus='virtio'/><alias name='ua-vda'/></disk>"
                + "<memballoon model='none'/></devices></domain>";
        Connect conn = LibvirtConnection.open(URI);
        Domain domain = conn.domainDefineXML(xml);
        try {
            domain.create();
            Files.createDirectories(runDir);
            try (Store store = Store.init(storeDir, StoreConfig.defaults());
                 BackupEngine engine = new BackupEngine(URI, store, runDir, BackupOptions.defaults())) {
                report("full", store, engine, name);
                long t0 = System.nanoTime();
                for (String w : writes) {
                    String[] parts = w.trim().split("\\s+");
                    String out = domain.qemuMonitorCommand("qemu-io -d /machine/peripheral/ua-vda/virtio-backend \"write -s "
                            + parts[1] + " " + parts[0] + " 64k\"", 1);
                    if (out.contains("rror")) {
                        throw new IllegalStateException("guest write failed: " + out);
                    }
                }
                System.out.printf("guest_writes=%d%nguest_write_seconds=%.2f%n", writes.size(), (System.nanoTime() - t0) / 1e9);
                report("incremental", store, engine, name);
            }
        } finally {
            if (domain.isActive() == 1) {
                domain.destroy();
            }
            domain.undefine(UNDEFINE_METADATA);
            conn.close();
        }
    }

    private static void report(String label, Store store, BackupEngine engine, String vm) throws Exception {
        long before = du(store.root());
        BackupJob job = engine.start(vm);
        long dataStart = 0;
        long dataEnd = 0;
        BackupResult r = null;
        while (r == null) {
            Progress.Snapshot s = job.progress().snapshot();
            long now = System.nanoTime();
            if (dataStart == 0 && s.phase().startsWith("backup ")) {
                dataStart = now;
            }
            if (dataStart != 0 && (s.phase().startsWith("backup ") || s.phase().equals("commit"))) {
                dataEnd = now;
            }
            try {
                r = job.await(Duration.ofMillis(2)); // the sampling period of the phase
            } catch (TimeoutException stillRunning) {
                // sample again
            }
        }
        long added = du(store.root()) - before;
        System.out.printf("%s_kind=%s%n%s_job_seconds=%.3f%n%s_data_path_seconds=%.3f%n%s_bytes_read=%d%n%s_added_bytes=%d%n",
                label, r.kind(), label, r.elapsed().toNanos() / 1e9, label, (dataEnd - dataStart) / 1e9,
                label, r.bytesRead(), label, added);
    }

    private static long du(Path dir) throws Exception {
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
