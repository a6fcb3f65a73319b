package io.lifeboat.nbd;

import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link ExportStatistics}, updated by every connection to the export. */
final class ExportCounters {

    final LongAdder connections = new LongAdder();
    final LongAdder activeConnections = new LongAdder();
    final LongAdder requests = new LongAdder();
    final LongAdder bytesRead = new LongAdder();
    final LongAdder dataBytes = new LongAdder();
    final LongAdder errors = new LongAdder();

    ExportStatistics snapshot() {
        return new ExportStatistics(connections.sum(), activeConnections.sum(), requests.sum(),
                bytesRead.sum(), dataBytes.sum(), errors.sum());
    }
}
