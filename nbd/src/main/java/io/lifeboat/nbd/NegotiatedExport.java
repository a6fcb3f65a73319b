package io.lifeboat.nbd;

import java.util.Map;

/**
 * What the handshake settled: the export's size and transmission flags, whether replies are
 * structured, the block size constraints, and the meta contexts the server selected (name to the
 * id its block status chunks carry).
 */
record NegotiatedExport(long size, int transmissionFlags, boolean structuredReplies,
                        Info.BlockSize blockSize, Map<String, Integer> metaContexts) {

    NegotiatedExport {
        metaContexts = Map.copyOf(metaContexts);
    }
}
