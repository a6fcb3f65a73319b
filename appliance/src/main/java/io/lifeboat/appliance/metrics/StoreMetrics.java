package io.lifeboat.appliance.metrics;

import java.util.concurrent.atomic.AtomicReference;

import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.StoreUsage;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The chunk store's size and how well it saves space, as gauges:
 * <ul>
 * <li>{@code lifeboat_store_size_bytes}: the sealed packs on disk;</li>
 * <li>{@code lifeboat_store_dedup_ratio}: bytes of non-zero chunks all restore points refer to,
 *     counted once per reference, over the bytes of the distinct chunks stored (before
 *     compression) — 3.0 means every chunk is shared by three backups on average;</li>
 * <li>{@code lifeboat_store_compression_ratio}: those distinct chunks' bytes before compression
 *     over their bytes in the packs.</li>
 * </ul>
 * Computing them reads the whole index and every manifest, so they are refreshed on a schedule
 * and after policy runs ({@link #refresh}), not at each scrape. NaN until the first refresh or
 * while the store is empty.
 */
@Component
public class StoreMetrics {

    private static final Logger log = LoggerFactory.getLogger(StoreMetrics.class);

    /** One reading. */
    public record Reading(long sizeBytes, double dedupRatio, double compressionRatio) {
    }

    private final ChunkStore store;
    private final AtomicReference<Reading> last = new AtomicReference<>(new Reading(0, Double.NaN, Double.NaN));

    public StoreMetrics(ChunkStore store, MeterRegistry registry) {
        this.store = store;
        Gauge.builder("lifeboat.store.size", last, r -> r.get().sizeBytes()).baseUnit("bytes")
                .description("Bytes of sealed packs in the chunk store").register(registry);
        Gauge.builder("lifeboat.store.dedup.ratio", last, r -> r.get().dedupRatio())
                .description("Chunk bytes referenced by all restore points over distinct chunk bytes stored").register(registry);
        Gauge.builder("lifeboat.store.compression.ratio", last, r -> r.get().compressionRatio())
                .description("Distinct chunk bytes before compression over their bytes in packs").register(registry);
    }

    public Reading reading() {
        return last.get();
    }

    /** Reads the store again; a store that is not open or fails leaves the last reading. */
    public synchronized Reading refresh() {
        if (!store.isOpen()) {
            return last.get();
        }
        try {
            last.set(read(store.get()));
        } catch (StoreException | RuntimeException e) {
            log.warn("Store metrics not refreshed: {}", e.getMessage());
        }
        return last.get();
    }

    private static Reading read(Store s) throws StoreException {
        StoreUsage u = s.usage();
        return new Reading(u.packBytes(), u.dedupRatio(), u.compressionRatio());
    }
}
