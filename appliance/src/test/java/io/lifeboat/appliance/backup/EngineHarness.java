package io.lifeboat.appliance.backup;

import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreConfig;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.read.DiskRestorer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** A store, an engine and the VMs of one test; closes all of them. */
final class EngineHarness implements AutoCloseable {
    final Path dir;
    final Store store;
    final Path runRoot;
    final BackupEngine engine;
    private final java.util.List<TestVm> vms = new java.util.ArrayList<>();
    private int restores;

    EngineHarness(Path dir, BackupOptions options) throws Exception {
        this.dir = dir;
        this.store = Store.init(dir.resolve("store"), StoreConfig.defaults());
        this.runRoot = dir.resolve("run");
        this.engine = new BackupEngine(TestVm.URI, store, runRoot, options);
    }

    EngineHarness(Path dir) throws Exception {
        this(dir, BackupOptions.defaults());
    }

    TestVm vm(boolean start, boolean agent, long... sizes) throws Exception {
        TestVm vm = TestVm.create(dir, start, agent, sizes);
        vms.add(vm);
        return vm;
    }

    /** SHA-256 of each disk of the restore point, restored to a raw file. */
    Map<String, String> restoredDigests(RestorePointId id) throws Exception {
        Manifest m = store.manifest(id);
        Map<String, String> out = new LinkedHashMap<>();
        for (DiskMap d : m.disks()) {
            Path target = dir.resolve("restore-" + (restores++) + "-" + d.name() + ".raw");
            new DiskRestorer(store.chunks(), 2).restore(d, target, false, Progress.none());
            out.put(d.name(), TestVm.sha256(target));
            Files.delete(target);
        }
        return out;
    }

    boolean runRootEmpty() throws Exception {
        if (!Files.exists(runRoot)) {
            return true;
        }
        try (Stream<Path> s = Files.list(runRoot)) {
            return s.findAny().isEmpty();
        }
    }

    static void waitFor(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            engine.close();
        } finally {
            for (TestVm vm : vms) {
                try {
                    vm.close();
                } catch (Exception e) {
                    System.err.println("cleaning up " + vm.name() + ": " + e);
                }
            }
            store.close();
        }
    }
}
