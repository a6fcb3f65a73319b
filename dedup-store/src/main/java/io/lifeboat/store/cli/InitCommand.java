package io.lifeboat.store.cli;

import io.lifeboat.cli.ExitCode;
import io.lifeboat.cli.Sizes;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Map;

@Command(name = "init", mixinStandardHelpOptions = true, description = "Create a new, empty store.")
final class InitCommand extends StoreCli.Verb {
    @Option(names = "--chunk-size", paramLabel = "SIZE", description = "Chunk size, a power of two from 4K to 16M (default: 256K).")
    String chunkSize;

    @Option(names = "--level", paramLabel = "N", description = "zstd level 1-19 (default: 1).")
    Integer level;

    @Option(names = "--pack-size", paramLabel = "SIZE", description = "Target pack size (default: 32M).")
    String packSize;

    @Override
    public Integer call() throws Exception {
        StoreConfig c = StoreConfig.defaults();
        if (chunkSize != null) {
            long size = Sizes.parse(chunkSize);
            if (size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("chunk size must be a power of two between 4K and 16M, got " + chunkSize);
            }
            c = c.withChunkSize((int) size);
        }
        if (level != null) {
            c = c.withZstdLevel(level);
        }
        if (packSize != null) {
            c = c.withPackTargetSize(Sizes.parse(packSize));
        }
        try (Store s = Store.init(parent.storeDir(), c)) {
            StoreConfig cfg = s.config();
            print(Map.of("store", s.root().toAbsolutePath().toString(), "config", cfg),
                    "created store " + s.root().toAbsolutePath() + " (chunk size " + Sizes.human(cfg.chunkSize())
                            + ", zstd level " + cfg.zstdLevel() + ", packs of " + Sizes.human(cfg.packTargetSize()) + ")");
        }
        return ExitCode.OK;
    }
}
