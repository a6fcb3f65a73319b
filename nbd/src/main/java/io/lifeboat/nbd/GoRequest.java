package io.lifeboat.nbd;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The data of NBD_OPT_GO (and NBD_OPT_INFO, which has the same layout): which export to enter
 * transmission with, and which NBD_INFO_* items the client wants back.
 *
 * <pre>
 * u32 length of export name
 * export name (UTF-8)
 * u16 number of information requests
 * u16 each information request (NBD_INFO_*)
 * </pre>
 *
 * Asking for NBD_INFO_BLOCK_SIZE also tells the server the client will honour its block size
 * constraints.
 */
record GoRequest(String exportName, List<Integer> infoRequests) {

    GoRequest {
        infoRequests = List.copyOf(infoRequests);
    }

    OptionRequest toOption(int option) {
        byte[] name = WireStrings.encode(exportName, "export name");
        ByteBuffer b = ByteBuffer.allocate(Integer.BYTES + name.length + Short.BYTES * (1 + infoRequests.size()));
        WireStrings.putPrefixed(b, name);
        b.putShort((short) infoRequests.size());
        infoRequests.forEach(i -> b.putShort(i.shortValue()));
        return new OptionRequest(option, b.flip());
    }

    /** The server side. */
    static GoRequest parse(ByteBuffer data) throws NbdProtocolException {
        ByteBuffer b = data.duplicate();
        String name = WireStrings.getPrefixed(b, "NBD_OPT_GO export name");
        if (b.remaining() < Short.BYTES) {
            throw new NbdProtocolException("NBD_OPT_GO: information request count missing");
        }
        int count = Short.toUnsignedInt(b.getShort());
        if (b.remaining() != count * Short.BYTES) {
            throw new NbdProtocolException("NBD_OPT_GO: " + count + " information requests announced, "
                    + b.remaining() + " bytes follow");
        }
        List<Integer> requests = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            requests.add(Short.toUnsignedInt(b.getShort()));
        }
        return new GoRequest(name, requests);
    }
}
