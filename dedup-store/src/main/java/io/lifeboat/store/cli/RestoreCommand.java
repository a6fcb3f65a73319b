package io.lifeboat.store.cli;

import io.lifeboat.cli.ExitCode;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.read.DiskRestorer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Restore disks of a restore point as sparse raw files. With one disk (or --disk), TARGET is "
                + "the file to write; otherwise TARGET is a directory and each disk becomes TARGET/<disk>.raw.")
final class RestoreCommand extends StoreCli.Verb {
    @Parameters(index = "0", paramLabel = "ID", description = "Restore point, e.g. web01/20261127T070102.123Z.")
    String id;

    @Parameters(index = "1", paramLabel = "TARGET", description = "File (one disk) or directory (several disks).")
    Path target;

    @Option(names = "--disk", paramLabel = "NAME", description = "Restore only this disk.")
    String disk;

    @Option(names = "--force", description = "Overwrite existing target files.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        RestorePointId rp = RestorePointId.parse(id);
        long t0 = System.nanoTime();
        try (Store store = open()) {
            Manifest m = store.manifest(rp);
            List<DiskMap> disks = new ArrayList<>();
            if (disk != null) {
                DiskMap d = m.disk(disk);
                if (d == null) {
                    throw new StoreException(StoreException.Kind.NOT_FOUND, "restore point " + rp + " has no disk " + disk);
                }
                disks.add(d);
            } else {
                disks.addAll(m.disks());
            }
            Map<String, Path> targets = new LinkedHashMap<>();
            if (disks.size() == 1) {
                targets.put(disks.get(0).name(), target);
            } else {
                if (!Files.isDirectory(target)) {
                    throw new StoreException(StoreException.Kind.BAD_INPUT, rp + " has " + disks.size()
                            + " disks: TARGET must be an existing directory (or pick one with --disk)");
                }
                disks.forEach(d -> targets.put(d.name(), target.resolve(d.name() + ".raw")));
            }
            DiskRestorer restorer = new DiskRestorer(store.chunks(), Runtime.getRuntime().availableProcessors());
            Map<DiskMap, Path> plan = new LinkedHashMap<>();
            disks.forEach(d -> plan.put(d, targets.get(d.name())));
            Progress progress = new Progress();
            withProgress(progress, () -> {
                restorer.restore(plan, force, progress);
                return null;
            });
            double secs = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", rp.toString());
            Map<String, String> files = new LinkedHashMap<>();
            targets.forEach((k, v) -> files.put(k, v.toAbsolutePath().toString()));
            out.put("disks", files);
            out.put("seconds", secs);
            print(out, String.format(java.util.Locale.ROOT, "restored %s to %s in %.1f s", rp, files.values(), secs));
        }
        return ExitCode.OK;
    }
}
