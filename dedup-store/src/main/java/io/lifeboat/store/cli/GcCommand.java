package io.lifeboat.store.cli;

import io.lifeboat.cli.ExitCode;
import io.lifeboat.cli.Sizes;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.gc.GarbageCollector;
import io.lifeboat.store.gc.GcReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "gc", mixinStandardHelpOptions = true,
        description = "Remove chunks no restore point references; delete empty packs and repack sparse ones.")
final class GcCommand extends StoreCli.Verb {
    @Option(names = "--dry-run", description = "Count what would be removed; change nothing but GC marks.")
    boolean dryRun;

    @Option(names = "--repack-below", paramLabel = "FRACTION", defaultValue = "0.5",
            description = "Repack packs whose live data is below this fraction (default: ${DEFAULT-VALUE}).")
    double repackBelow;

    @Override
    public Integer call() throws Exception {
        try (Store store = open()) {
            Progress progress = new Progress();
            GcReport r = withProgress(progress, () -> new GarbageCollector(store).run(repackBelow, dryRun, progress));
            print(r, String.format("%s%d restore points kept, %d chunks removed, %d packs deleted, %d repacked, %s freed (%s -> %s)",
                    r.dryRun() ? "dry run: " : "", r.restorePoints(), r.chunksRemoved(), r.packsDeleted(), r.packsRepacked(),
                    Sizes.human(r.bytesFreed()), Sizes.human(r.bytesBefore()), Sizes.human(r.bytesAfter())));
        }
        return ExitCode.OK;
    }
}
