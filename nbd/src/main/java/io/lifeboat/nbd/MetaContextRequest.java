package io.lifeboat.nbd;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The data of NBD_OPT_SET_META_CONTEXT (and NBD_OPT_LIST_META_CONTEXT): the metadata contexts,
 * such as {@code base:allocation} or {@code qemu:dirty-bitmap:bm0}, the client wants to query
 * with NBD_CMD_BLOCK_STATUS on the export.
 *
 * <pre>
 * u32 length of export name
 * export name (UTF-8)
 * u32 number of queries
 * per query: u32 length, query (UTF-8)
 * </pre>
 *
 * The server answers with one NBD_REP_META_CONTEXT per selected context, then NBD_REP_ACK.
 */
record MetaContextRequest(String exportName, List<String> queries) {

    MetaContextRequest {
        queries = List.copyOf(queries);
    }

    OptionRequest toOption(int option) {
        byte[] name = WireStrings.encode(exportName, "export name");
        List<byte[]> encoded = queries.stream().map(q -> WireStrings.encode(q, "meta context")).toList();
        int size = Integer.BYTES * 2 + name.length
                + encoded.stream().mapToInt(q -> Integer.BYTES + q.length).sum();
        ByteBuffer b = ByteBuffer.allocate(size);
        WireStrings.putPrefixed(b, name);
        b.putInt(encoded.size());
        encoded.forEach(q -> WireStrings.putPrefixed(b, q));
        return new OptionRequest(option, b.flip());
    }

    /** The server side. */
    static MetaContextRequest parse(ByteBuffer data) throws NbdProtocolException {
        ByteBuffer b = data.duplicate();
        String name = WireStrings.getPrefixed(b, "NBD_OPT_SET_META_CONTEXT export name");
        if (b.remaining() < Integer.BYTES) {
            throw new NbdProtocolException("NBD_OPT_SET_META_CONTEXT: query count missing");
        }
        long count = Integer.toUnsignedLong(b.getInt());
        // Every query takes at least its 4-byte length, which bounds a lying count.
        if (count > b.remaining() / Integer.BYTES) {
            throw new NbdProtocolException("NBD_OPT_SET_META_CONTEXT: " + count + " queries cannot fit in "
                    + b.remaining() + " bytes");
        }
        List<String> queries = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            queries.add(WireStrings.getPrefixed(b, "NBD_OPT_SET_META_CONTEXT query"));
        }
        if (b.hasRemaining()) {
            throw new NbdProtocolException("NBD_OPT_SET_META_CONTEXT: " + b.remaining() + " trailing bytes");
        }
        return new MetaContextRequest(name, queries);
    }
}
